package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;

/**
 * The encoder's diagonal Gaussian over latents, as diffusers' {@code DiagonalGaussianDistribution}:
 * log-variance clamped to [-30, 20], {@code std = exp(logvar / 2)}. Closing it closes all three arrays.
 */
public record Posterior(NDArray mean, NDArray logvar, NDArray std) implements AutoCloseable {
    @Override
    public void close() {
        mean.close();
        logvar.close();
        std.close();
    }
}
