package dev.conceptprune.nn;

import dev.conceptprune.runtime.OpMeter;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** 2-D convolution, NCHW, square kernel, symmetric zero padding. */
public final class Conv2d {
    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;
    private static final Shape DILATION = new Shape(1, 1);

    public Conv2d(NDArray weight, NDArray bias, int stride, int padding) {
        this.weight = weight;
        this.bias = bias;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    /** Loads {@code name.weight} [out, in, k, k] and {@code name.bias} [out]. */
    public static Conv2d load(Params p, String name, long in, long out, int kernel, int stride, int padding) {
        Params s = p.sub(name);
        return new Conv2d(s.get("weight", out, in, kernel, kernel), s.get("bias", out), stride, padding);
    }

    public NDArray forward(NDArray x) {
        long start = OpMeter.start();
        NDArray y = x.getNDArrayInternal().convolution(x, weight, bias, stride, padding, DILATION, 1).singletonOrThrow();
        Shape w = weight.getShape();
        Shape o = y.getShape();
        OpMeter.record(OpMeter.Kind.CONV, start,
                OpMeter.convFlops(o.get(0), w.get(1), w.get(0), w.get(2), w.get(3), o.get(2), o.get(3)));
        return y;
    }
}
