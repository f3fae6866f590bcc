package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;

/** Sees the top-level intermediates of a UNet call under their diffusers module names (for tests). */
@FunctionalInterface
interface Probe {
    Probe NONE = (name, value) -> { };

    /** {@code value} is live only during the call. */
    void record(String name, NDArray value);
}
