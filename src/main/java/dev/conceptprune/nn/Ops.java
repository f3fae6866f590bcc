package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/** The composite operations DJL lacks, each written to match PyTorch's definition. */
public final class Ops {
    private Ops() {
    }

    /**
     * GroupNorm: statistics per (sample, group) with the biased variance, then the per-channel
     * affine; {@code weight} and {@code bias} come already shaped [1, C, 1, ...] to broadcast.
     */
    public static NDArray groupNorm(NDArray x, int groups, float eps, NDArray weight, NDArray bias) {
        Shape s = x.getShape();
        try (NDArray g = x.reshape(s.get(0), groups, -1);
             NDArray mean = g.mean(new int[] {2}, true);
             NDArray centered = g.sub(mean);
             NDArray var = centered.square().mean(new int[] {2}, true);
             NDArray std = var.add(eps).sqrt();
             NDArray normed = centered.div(std);
             NDArray back = normed.reshape(s)) {
            return back.mul(weight).addi(bias);
        }
    }

    /** SiLU (swish): x * sigmoid(x). */
    public static NDArray silu(NDArray x) {
        try (NDArray sig = x.getNDArrayInternal().sigmoid()) {
            return x.mul(sig);
        }
    }

    /** GELU with the exact erf formulation (PyTorch's default). */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** CLIP's quick GELU: x * sigmoid(1.702 x). */
    public static NDArray quickGelu(NDArray x) {
        try (NDArray scaled = x.mul(1.702f); NDArray sig = scaled.getNDArrayInternal().sigmoid()) {
            return x.mul(sig);
        }
    }

    /**
     * Nearest-neighbour resize of NCHW input to (outH, outW), source index floor(dst * in / out)
     * as PyTorch's 'nearest' mode; exact doubling uses a cheaper repeat.
     */
    public static NDArray upsampleNearest(NDArray x, long outH, long outW) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (outH == 2 * h && outW == 2 * w) {
            try (NDArray rows = x.repeat(2, 2)) {
                return rows.repeat(3, 2);
            }
        }
        try (NDArray ri = nearestIndex(x, h, outH); NDArray ci = nearestIndex(x, w, outW);
             NDArray rows = x.get(new NDIndex(":, :, {}", ri))) {
            return rows.get(new NDIndex(":, :, :, {}", ci));
        }
    }

    private static NDArray nearestIndex(NDArray like, long in, long out) {
        long[] idx = new long[(int) out];
        float scale = (float) in / out;
        for (int i = 0; i < idx.length; i++) {
            idx[i] = Math.min((long) Math.floor(i * scale), in - 1);
        }
        return like.getManager().create(idx);
    }

    /**
     * Multi-head scaled dot-product attention on token layouts: q [B, Nq, heads*d],
     * k and v [B, Nk, heads*d]; returns [B, Nq, heads*d]. Softmax in float32, so diffusers'
     * {@code upcast_attention} needs no separate path here.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, float scale) {
        return attention(q, k, v, heads, scale, null);
    }

    /** As {@link #attention(NDArray, NDArray, NDArray, int, float)}, adding {@code mask} [Nq, Nk] to the scores. */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, float scale, NDArray mask) {
        long b = q.getShape().get(0);
        long nq = q.getShape().get(1);
        long c = q.getShape().get(2);
        long nk = k.getShape().get(1);
        long d = c / heads;
        long half = OpMeter.attentionFlops(b * heads, nq, nk, d) / 2;
        try (NDArray qh = q.reshape(b, nq, heads, d).transpose(0, 2, 1, 3);
             NDArray kt = k.reshape(b, nk, heads, d).transpose(0, 2, 3, 1);
             NDArray vh = v.reshape(b, nk, heads, d).transpose(0, 2, 1, 3);
             NDArray scores = addMask(metered(OpMeter.Kind.ATTENTION_MATMUL, half, () -> qh.matMul(kt)).muli(scale), mask);
             NDArray probs = metered(OpMeter.Kind.SOFTMAX, 0, () -> scores.softmax(-1));
             NDArray out = metered(OpMeter.Kind.ATTENTION_MATMUL, half, () -> probs.matMul(vh));
             NDArray outT = out.transpose(0, 2, 1, 3)) {
            return outT.reshape(b, nq, c);
        }
    }

    private static NDArray metered(OpMeter.Kind kind, long flops, java.util.function.Supplier<NDArray> op) {
        long start = OpMeter.start();
        NDArray y = op.get();
        OpMeter.record(kind, start, flops);
        return y;
    }

    private static NDArray addMask(NDArray scores, NDArray mask) {
        return mask == null ? scores : scores.addi(mask);
    }
}
