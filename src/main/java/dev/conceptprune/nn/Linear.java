package dev.conceptprune.nn;

import dev.conceptprune.runtime.OpMeter;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * y = x W^T + b, with diffusers/transformers parameter names {@code weight} and {@code bias}. Loaded
 * for a 16-bit runtime (bf16, float16) it holds weights of that type only and computes through
 * {@link HalfOps}; input and output are float32 either way.
 */
public final class Linear {
    private final NDArray weight;
    private final NDArray bias;
    private final boolean half;

    /** A float32 layer on these weights. */
    public Linear(NDArray weight, NDArray bias) {
        this(weight, bias, false);
    }

    private Linear(NDArray weight, NDArray bias, boolean half) {
        this.weight = weight;
        this.bias = bias;
        this.half = half;
    }

    /** Loads {@code name.weight} [out, in] and, if {@code withBias}, {@code name.bias}. */
    public static Linear load(Params p, String name, long in, long out, boolean withBias) {
        Params s = p.sub(name);
        return of(p, s.get("weight", out, in), withBias ? s.get("bias", out) : null);
    }

    /**
     * Loads a 1x1 convolution ({@code name.weight} [out, in, 1, 1], {@code name.bias}) as the
     * linear layer on tokens that it is.
     */
    public static Linear loadPointwiseConv(Params p, String name, long in, long out) {
        Params s = p.sub(name);
        NDArray stored = s.get("weight", out, in, 1, 1);
        if (!p.runtime().halfPrecision()) {
            // The reshape is a view: the loaded array stays open, as it owns the memory both share.
            return new Linear(stored.reshape(out, in), s.get("bias", out));
        }
        try (stored; NDArray view = stored.reshape(out, in); NDArray bias = s.get("bias", out)) {
            return new Linear(HalfOps.cast(view, p.runtime().dtype()), HalfOps.cast(bias, p.runtime().dtype()), true);
        }
    }

    /** The layer for {@code p}'s runtime: float32 weights as given, or 16-bit casts that replace them. */
    private static Linear of(Params p, NDArray weight, NDArray bias) {
        if (!p.runtime().halfPrecision()) {
            return new Linear(weight, bias);
        }
        try (weight; bias) {
            DataType type = p.runtime().dtype();
            return new Linear(HalfOps.cast(weight, type), bias == null ? null : HalfOps.cast(bias, type), true);
        }
    }

    public NDArray forward(NDArray x) {
        long start = OpMeter.start();
        NDArray y = half ? HalfOps.linear(x, weight, bias)
                : x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        long in = weight.getShape().get(1);
        OpMeter.record(OpMeter.Kind.LINEAR, start, OpMeter.linearFlops(x.size() / in, in, weight.getShape().get(0)));
        return y;
    }

    /** The weight the layer computes with: float32, or the 16-bit type of a 16-bit runtime. */
    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }
}
