package dev.conceptprune.nn;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Normally distributed values for a named tensor, a function of (seed, name) alone: the same
 * whatever order tensors are made in and however many threads fill them. Values are drawn in
 * fixed-size chunks, each from its own generator, so large tensors fill in parallel.
 */
public final class RandomTensor {
    private static final int CHUNK = 1 << 20;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private RandomTensor() {
    }

    /** {@code count} values of N(0, std^2) for tensor {@code name} under {@code seed}. */
    public static float[] normal(long seed, String name, int count, double std) {
        float[] out = new float[count];
        long base = seed * GOLDEN + name.hashCode();
        int chunks = (count + CHUNK - 1) / CHUNK;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            SplittableRandom r = new SplittableRandom(base + c * GOLDEN);
            int end = Math.min(count, (c + 1) * CHUNK);
            for (int i = c * CHUNK; i < end; i++) {
                out[i] = (float) (r.nextGaussian() * std);
            }
        });
        return out;
    }
}
