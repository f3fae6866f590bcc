package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;

/** diffusers' {@code Upsample2D} with a conv: nearest resize, then 3x3 conv with padding 1. */
public final class Upsample2D {
    private final Conv2d conv;

    public Upsample2D(Params p, int channels) {
        conv = Conv2d.load(p, "conv", channels, channels, 3, 1, 1);
    }

    /** Resizes to twice the input's size; does not close {@code x}. */
    public NDArray forward(NDArray x) {
        return forward(x, 2 * x.getShape().get(2), 2 * x.getShape().get(3));
    }

    /**
     * Resizes to (outH, outW): the UNet passes twice the input for latents divisible by its total
     * downsampling, else the size of the skip tensor it is about to meet, as diffusers does.
     * Does not close {@code x}.
     */
    public NDArray forward(NDArray x, long outH, long outW) {
        try (NDArray up = Ops.upsampleNearest(x, outH, outW)) {
            return conv.forward(up);
        }
    }
}
