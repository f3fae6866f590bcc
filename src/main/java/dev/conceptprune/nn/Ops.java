package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** The composite operations DJL lacks, each written to match PyTorch's definition. */
public final class Ops {
    /** DJL's interpolation mode number for 'nearest'. */
    private static final int NEAREST = 0;

    private Ops() {
    }

    /**
     * GroupNorm: statistics per (sample, group) with the biased variance, then the per-channel
     * affine; {@code weight} and {@code bias} come already shaped [1, C, 1, ...] to broadcast.
     * The normalisation is libtorch's fused batch norm in training mode on the view
     * [1, samples x groups, rest], whose channels are exactly the (sample, group) pairs; the
     * affine is then applied in place (unless {@code mutation} says otherwise). Three passes over
     * x instead of the ten of the textbook composition.
     */
    public static NDArray groupNorm(NDArray x, int groups, float eps, NDArray weight, NDArray bias,
                                    Mutation mutation) {
        Shape s = x.getShape();
        Shape pairs = new Shape(s.get(0) * groups);
        NDManager m = x.getManager();
        NDArray normed;
        // Batch norm insists on running statistics and an affine; these neutral ones are tiny.
        try (NDArray view = x.reshape(1, pairs.get(0), -1);
             NDArray runningMean = m.zeros(pairs);
             NDArray runningVar = m.ones(pairs);
             NDArray one = m.ones(pairs);
             NDArray zero = m.zeros(pairs);
             NDArray flat = x.getNDArrayInternal()
                     .batchNorm(view, runningMean, runningVar, one, zero, 1, 0f, eps, true).singletonOrThrow()) {
            normed = flat.reshape(s);
        }
        if (mutation == Mutation.IN_PLACE) {
            return normed.muli(weight).addi(bias);
        }
        try (normed; NDArray scaled = normed.mul(weight)) {
            return scaled.add(bias);
        }
    }

    /** SiLU (swish): x * sigmoid(x); out of place the sigmoid stays intact, as its backward needs it. */
    public static NDArray silu(NDArray x, Mutation mutation) {
        NDArray sigmoid = x.getNDArrayInternal().sigmoid();
        if (mutation == Mutation.IN_PLACE) {
            return sigmoid.muli(x);
        }
        try (sigmoid) {
            return sigmoid.mul(x);
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
     * as PyTorch's 'nearest' mode, in libtorch's one-pass kernel.
     */
    public static NDArray upsampleNearest(NDArray x, long outH, long outW) {
        return x.getNDArrayInternal().interpolation(new long[] {outH, outW}, NEAREST, false);
    }

    /**
     * Multi-head scaled dot-product attention on token layouts: q [B, Nq, heads*d],
     * k and v [B, Nk, heads*d]; returns [B, Nq, heads*d]. Softmax in float32, so diffusers'
     * {@code upcast_attention} needs no separate path here.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, float scale) {
        return attention(q, k, v, heads, scale, (NDArray) null);
    }

    /** As {@link #attention(NDArray, NDArray, NDArray, int, float)}, adding {@code mask} [Nq, Nk] to the scores. */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, float scale, NDArray mask) {
        return Attention.compute(q, k, v, heads, scale, mask, DataType.FLOAT32);
    }

    /**
     * As {@link #attention(NDArray, NDArray, NDArray, int, float)}, with the products in {@code type} (float32 or a
     * 16-bit type; float32 in and out).
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, float scale, DataType type) {
        return Attention.compute(q, k, v, heads, scale, null, type);
    }
}
