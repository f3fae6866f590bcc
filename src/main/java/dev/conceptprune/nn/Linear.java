package dev.conceptprune.nn;

import dev.conceptprune.runtime.OpMeter;
import ai.djl.ndarray.NDArray;

/** y = x W^T + b, with diffusers/transformers parameter names {@code weight} and {@code bias}. */
public final class Linear {
    private final NDArray weight;
    private final NDArray bias;

    public Linear(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** Loads {@code name.weight} [out, in] and, if {@code withBias}, {@code name.bias}. */
    public static Linear load(Params p, String name, long in, long out, boolean withBias) {
        Params s = p.sub(name);
        return new Linear(s.get("weight", out, in), withBias ? s.get("bias", out) : null);
    }

    /**
     * Loads a 1x1 convolution ({@code name.weight} [out, in, 1, 1], {@code name.bias}) as the
     * linear layer on tokens that it is.
     */
    public static Linear loadPointwiseConv(Params p, String name, long in, long out) {
        Params s = p.sub(name);
        // The reshape is a view: the loaded array stays open, as it owns the memory both share.
        return new Linear(s.get("weight", out, in, 1, 1).reshape(out, in), s.get("bias", out));
    }

    public NDArray forward(NDArray x) {
        long start = OpMeter.start();
        NDArray y = x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        long in = weight.getShape().get(1);
        OpMeter.record(OpMeter.Kind.LINEAR, start, OpMeter.linearFlops(x.size() / in, in, weight.getShape().get(0)));
        return y;
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }
}
