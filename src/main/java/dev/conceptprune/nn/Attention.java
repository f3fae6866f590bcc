package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import java.util.function.Supplier;

/**
 * Multi-head scaled dot-product attention, softmax in float32. The scale is applied to the
 * queries, before the product. Small problems run as three batched ops over all heads. Large
 * ones (SD's self-attention at 64x64 latents has a 4096 x 4096 score matrix per head, 1 GiB
 * for a batch of two with 8 heads) run per head in tiles of query rows whose scores fit in
 * the cores' cache: the product, softmax and second product of a tile then touch no main
 * memory, and no allocation is large enough to be handed back to the OS and faulted in again.
 * Heads are strided views of q, k and v, so nothing is copied into a heads-first layout.
 */
final class Attention {
    /** Score bytes above which the tiled path is taken. */
    private static final long BATCHED_MAX_BYTES = 8L << 20;
    /** Target score bytes of one tile. */
    private static final long TILE_BYTES = 2L << 20;
    /** Fewest query rows per tile, so that the products keep a useful shape. */
    private static final long MIN_TILE_ROWS = 64;

    private Attention() {
    }

    /** q [B, Nq, heads*d], k and v [B, Nk, heads*d], optional additive mask [Nq, Nk]; returns [B, Nq, heads*d]. */
    static NDArray compute(NDArray q, NDArray k, NDArray v, int heads, float scale, NDArray mask) {
        return compute(q, k, v, heads, scale, mask, BATCHED_MAX_BYTES, TILE_BYTES);
    }

    /** As above with the path's thresholds given (tests use them to reach both paths on small inputs). */
    static NDArray compute(NDArray q, NDArray k, NDArray v, int heads, float scale, NDArray mask,
                           long batchedMaxBytes, long tileBytes) {
        long b = q.getShape().get(0);
        long nq = q.getShape().get(1);
        long nk = k.getShape().get(1);
        try (NDArray scaled = q.mul(scale)) {
            if (b * heads * nq * nk * Float.BYTES <= batchedMaxBytes) {
                return batched(scaled, k, v, heads, mask);
            }
            long rows = Math.min(nq, Math.max(MIN_TILE_ROWS, tileBytes / (nk * Float.BYTES)));
            return tiled(scaled, k, v, heads, mask, rows);
        }
    }

    private static NDArray batched(NDArray q, NDArray k, NDArray v, int heads, NDArray mask) {
        long b = q.getShape().get(0);
        long nq = q.getShape().get(1);
        long c = q.getShape().get(2);
        long nk = k.getShape().get(1);
        long d = c / heads;
        long half = OpMeter.attentionFlops(b * heads, nq, nk, d) / 2;
        try (NDArray qh = q.reshape(b, nq, heads, d).transpose(0, 2, 1, 3);
             NDArray kt = k.reshape(b, nk, heads, d).transpose(0, 2, 3, 1);
             NDArray vh = v.reshape(b, nk, heads, d).transpose(0, 2, 1, 3);
             NDArray scores = addMask(metered(OpMeter.Kind.ATTENTION_MATMUL, half, () -> qh.matMul(kt)), mask);
             NDArray probs = metered(OpMeter.Kind.SOFTMAX, 0, () -> scores.softmax(-1));
             NDArray out = metered(OpMeter.Kind.ATTENTION_MATMUL, half, () -> probs.matMul(vh));
             NDArray outT = out.transpose(0, 2, 1, 3)) {
            return outT.reshape(b, nq, c);
        }
    }

    private static NDArray tiled(NDArray q, NDArray k, NDArray v, int heads, NDArray mask, long rows) {
        long b = q.getShape().get(0);
        long c = q.getShape().get(2);
        long d = c / heads;
        NDList samples = new NDList();
        try {
            for (long i = 0; i < b; i++) {
                NDList headOuts = new NDList();
                try {
                    for (long h = 0; h < heads; h++) {
                        headOuts.add(head(q, k, v, mask, new NDIndex("{}, :, {}:{}", i, h * d, (h + 1) * d), rows));
                    }
                    samples.add(NDArrays.concat(headOuts, 1));
                } finally {
                    headOuts.close();
                }
            }
            return NDArrays.stack(samples);
        } finally {
            samples.close();
        }
    }

    /** One head of one sample: the columns {@code head} selects, tile by tile over the query rows; [Nq, d]. */
    private static NDArray head(NDArray q, NDArray k, NDArray v, NDArray mask, NDIndex head, long rows) {
        long nq = q.getShape().get(1);
        NDList tiles = new NDList();
        try (NDArray qh = q.get(head); NDArray kh = k.get(head); NDArray kt = kh.transpose(); NDArray vh = v.get(head)) {
            long half = OpMeter.attentionFlops(1, rows, kh.getShape().get(0), kh.getShape().get(1)) / 2;
            for (long r = 0; r < nq; r += rows) {
                long end = Math.min(nq, r + rows);
                long flops = half / rows * (end - r);
                try (NDArray qt = qh.get(new NDIndex("{}:{}", r, end));
                     NDArray scores = metered(OpMeter.Kind.ATTENTION_MATMUL, flops, () -> qt.matMul(kt));
                     NDArray masked = mask == null ? null : tileMask(scores, mask, r, end);
                     NDArray probs = metered(OpMeter.Kind.SOFTMAX, 0, () -> scores.softmax(-1))) {
                    tiles.add(metered(OpMeter.Kind.ATTENTION_MATMUL, flops, () -> probs.matMul(vh)));
                }
            }
            return tiles.size() == 1 ? tiles.remove(0) : NDArrays.concat(tiles, 0);
        } finally {
            tiles.close();
        }
    }

    /** Adds the mask rows of a tile to its scores in place; returns the mask slice to be closed. */
    private static NDArray tileMask(NDArray scores, NDArray mask, long from, long to) {
        NDArray rows = mask.get(new NDIndex("{}:{}", from, to));
        scores.addi(rows);
        return rows;
    }

    private static NDArray metered(OpMeter.Kind kind, long flops, Supplier<NDArray> op) {
        long start = OpMeter.start();
        NDArray y = op.get();
        OpMeter.record(kind, start, flops);
        return y;
    }

    private static NDArray addMask(NDArray scores, NDArray mask) {
        return mask == null ? scores : scores.addi(mask);
    }
}
