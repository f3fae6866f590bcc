package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;

/**
 * Frees an activation as soon as the next one exists. Full-size VAE activations are large
 * (128 channels at 512x512 is 128 MiB each), so waiting for the end-of-call scope to free them
 * would multiply peak memory by the depth of the network.
 */
final class Intermediates {
    private Intermediates() {
    }

    /** Closes {@code previous} and returns {@code next}. */
    static NDArray replace(NDArray previous, NDArray next) {
        previous.close();
        return next;
    }
}
