package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** The composite operations DJL lacks, each written to match PyTorch's definition. */
public final class Ops {
    /** DJL's interpolation mode number for 'nearest'. */
    private static final int NEAREST = 0;

    private Ops() {
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
