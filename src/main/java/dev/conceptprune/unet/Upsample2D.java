package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/** diffusers' {@code Upsample2D} with a conv: nearest resize, then 3x3 conv with padding 1. */
final class Upsample2D {
    private final Conv2d conv;

    Upsample2D(Params p, int channels) {
        conv = Conv2d.load(p, "conv", channels, channels, 3, 1, 1);
    }

    /**
     * Resizes to (outH, outW): twice the input for latents divisible by the UNet's total
     * downsampling, else the size of the skip tensor it is about to meet, as diffusers passes.
     */
    NDArray forward(NDArray x, long outH, long outW) {
        try (NDArray up = Ops.upsampleNearest(x, outH, outW)) {
            return conv.forward(up);
        }
    }
}
