package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.Params;

/**
 * The encoder's {@code Downsample2D}: zero pad one column on the right and one row at the
 * bottom, then a stride-2 3x3 conv without padding (the original LDM layout, which diffusers
 * keeps for checkpoint compatibility; symmetric padding would shift the image by half a pixel).
 */
final class Downsample {
    private static final Shape PAD_RIGHT_BOTTOM = new Shape(0, 1, 0, 1);

    private final Conv2d conv;

    Downsample(Params p, int channels) {
        conv = Conv2d.load(p, "conv", channels, channels, 3, 2, 0);
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        try (NDArray padded = x.pad(PAD_RIGHT_BOTTOM, 0)) {
            return conv.forward(padded);
        }
    }
}
