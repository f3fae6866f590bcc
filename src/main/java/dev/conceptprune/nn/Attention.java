package dev.conceptprune.nn;

import dev.conceptprune.runtime.OpMeter;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Multi-head scaled dot-product attention on token layouts, softmax in float32, as one fused
 * libtorch kernel over all heads ({@link FusedAttention}). Heads are strided views of q, k and
 * v and the kernel writes its result token-major, so nothing is copied into or out of a
 * heads-first layout.
 */
final class Attention {
    private Attention() {
    }

    /**
     * q [B, Nq, heads*d], k and v [B, Nk, heads*d], optional additive mask [Nq, Nk]; returns [B, Nq, heads*d],
     * computed in {@code type}: float32, or a 16-bit type through {@link HalfOps}.
     */
    static NDArray compute(NDArray q, NDArray k, NDArray v, int heads, float scale, NDArray mask, DataType type) {
        long b = q.getShape().get(0);
        long nq = q.getShape().get(1);
        long c = q.getShape().get(2);
        long nk = k.getShape().get(1);
        long d = c / heads;
        long start = OpMeter.start();
        try (NDArray qh = q.reshape(b, nq, heads, d).transpose(0, 2, 1, 3);
             NDArray kh = k.reshape(b, nk, heads, d).transpose(0, 2, 1, 3);
             NDArray vh = v.reshape(b, nk, heads, d).transpose(0, 2, 1, 3);
             NDArray out = type != DataType.FLOAT32 ? HalfOps.attention(qh, kh, vh, mask, scale, type)
                     : FusedAttention.apply(qh, kh, vh, mask, scale);
             NDArray tokens = out.transpose(0, 2, 1, 3)) {
            NDArray y = tokens.reshape(b, nq, c);
            OpMeter.record(OpMeter.Kind.ATTENTION, start, OpMeter.attentionFlops(b * heads, nq, nk, d));
            return y;
        }
    }
}
