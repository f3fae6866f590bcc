package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code Downsample2D} with a conv: 3x3, stride 2. Padding 0 means diffusers' zero
 * pad of one column right and one row bottom before the conv (the original LDM layout, which
 * the VAE encoder keeps; symmetric padding would shift the image by half a pixel).
 */
public final class Downsample2D {
    private static final Shape RIGHT_BOTTOM = new Shape(0, 1, 0, 1);

    private final Conv2d conv;
    private final boolean padRightBottom;

    /** @param padding 1 (symmetric, in the conv) or 0 (right and bottom, before the conv) */
    public Downsample2D(Params p, int channels, int padding) {
        conv = Conv2d.load(p, "conv", channels, channels, 3, 2, padding);
        padRightBottom = padding == 0;
    }

    /** Does not close {@code x}; the result is a new array. */
    public NDArray forward(NDArray x) {
        if (!padRightBottom) {
            return conv.forward(x);
        }
        try (NDArray padded = x.pad(RIGHT_BOTTOM, 0)) {
            return conv.forward(padded);
        }
    }
}
