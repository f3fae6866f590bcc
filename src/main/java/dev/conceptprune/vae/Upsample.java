package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/** The decoder's {@code Upsample2D}: nearest-neighbour x2, then a 3x3 conv with padding 1. */
final class Upsample {
    private final Conv2d conv;

    Upsample(Params p, int channels) {
        conv = Conv2d.load(p, "conv", channels, channels, 3, 1, 1);
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        try (NDArray up = Ops.upsampleNearest(x, 2 * h, 2 * w)) {
            return conv.forward(up);
        }
    }
}
