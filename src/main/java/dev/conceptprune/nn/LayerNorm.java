package dev.conceptprune.nn;

import dev.conceptprune.runtime.OpMeter;
import ai.djl.ndarray.NDArray;

/** Layer normalisation over the last axis with affine parameters. */
public final class LayerNorm {
    private final float eps;
    private final NDArray weight;
    private final NDArray bias;

    public LayerNorm(float eps, NDArray weight, NDArray bias) {
        this.eps = eps;
        this.weight = weight;
        this.bias = bias;
    }

    /** Loads {@code name.weight} and {@code name.bias} of length {@code dim}. */
    public static LayerNorm load(Params p, String name, long dim, double eps) {
        Params s = p.sub(name);
        return new LayerNorm((float) eps, s.get("weight", dim), s.get("bias", dim));
    }

    public NDArray forward(NDArray x) {
        long start = OpMeter.start();
        NDArray y = x.getNDArrayInternal().layerNorm(x, weight.getShape(), weight, bias, eps).singletonOrThrow();
        OpMeter.record(OpMeter.Kind.LAYER_NORM, start, 0);
        return y;
    }
}
