package dev.conceptprune.nn;

import dev.conceptprune.runtime.OpMeter;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * 2-D convolution, NCHW, square kernel, symmetric zero padding. Loaded for a 16-bit runtime (bf16,
 * float16) it holds weights of that type only and computes through {@link HalfOps}; input and output
 * are float32 either way. Wide float32 3x3 convolutions on the CPU go through {@link WinogradConv}
 * (see {@link WinogradConv#applies} for when), the others through libtorch's.
 */
public final class Conv2d {
    private final NDArray weight;
    private final NDArray bias;
    private final int stride;
    private final int padding;
    private final boolean half;
    private static final Shape DILATION = new Shape(1, 1);

    /** A float32 convolution on these weights. */
    public Conv2d(NDArray weight, NDArray bias, int stride, int padding) {
        this(weight, bias, stride, padding, false);
    }

    private Conv2d(NDArray weight, NDArray bias, int stride, int padding, boolean half) {
        this.weight = weight;
        this.bias = bias;
        this.stride = stride;
        this.padding = padding;
        this.half = half;
    }

    /**
     * Float32 values beyond its input and output that a float32 3x3, stride 1 convolution of {@code in} to
     * {@code out} channels at {@code height} x {@code width} pixels per sample holds while it runs on the CPU:
     * Winograd's transformed filters and one band of its tiles where it takes one, 0 for libtorch's.
     */
    public static double temporaryValues(long out, long in, long height, long width) {
        return WinogradConv.temporaryValues(out, in, height, width);
    }

    /** Loads {@code name.weight} [out, in, k, k] and {@code name.bias} [out] in {@code p}'s runtime's dtype. */
    public static Conv2d load(Params p, String name, long in, long out, int kernel, int stride, int padding) {
        Params s = p.sub(name);
        NDArray w = s.get("weight", out, in, kernel, kernel);
        NDArray b = s.get("bias", out);
        if (!p.runtime().halfPrecision()) {
            return new Conv2d(w, b, stride, padding);
        }
        try (w; b) {
            return new Conv2d(HalfOps.cast(w, p.runtime().dtype()), HalfOps.cast(b, p.runtime().dtype()), stride, padding,
                    true);
        }
    }

    public NDArray forward(NDArray x) {
        long start = OpMeter.start();
        boolean winograd = !half && WinogradConv.applies(x, weight, bias, stride, padding);
        NDArray y;
        if (half) {
            y = HalfOps.conv(x, weight, bias, stride, padding);
        } else if (winograd) {
            y = WinogradConv.apply(x, weight, bias);
        } else {
            y = x.getNDArrayInternal().convolution(x, weight, bias, new Shape(stride, stride),
                    new Shape(padding, padding), DILATION, 1).singletonOrThrow();
        }
        Shape w = weight.getShape();
        Shape o = y.getShape();
        OpMeter.record(winograd ? OpMeter.Kind.WINOGRAD : OpMeter.Kind.CONV, start,
                OpMeter.convFlops(o.get(0), w.get(1), w.get(0), w.get(2), w.get(3), o.get(2), o.get(3)));
        return y;
    }
}
