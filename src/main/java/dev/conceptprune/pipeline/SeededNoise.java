package dev.conceptprune.pipeline;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.runtime.Runtime;

/**
 * Initial latents drawn exactly as {@code torch.randn(shape, generator=torch.Generator().manual_seed(seed))}
 * on CPU: libtorch behind DJL uses the same generator and the same normal sampling. The values are
 * drawn on the host whatever the runtime's device, and the latents stay there between steps.
 */
public final class SeededNoise {
    private SeededNoise() {
    }

    /** Draws standard normal values for {@code shape} from {@code seed}. */
    public static synchronized float[] draw(long seed, Shape shape) {
        if (seed < 0 || seed > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("seed must be between 0 and " + Integer.MAX_VALUE + ", got " + seed);
        }
        // Always the host: torch.randn's values are those of the CPU generator; a GPU draws others.
        try (NDManager m = Runtime.newHostManager()) {
            Engine.getInstance().setRandomSeed((int) seed);
            return m.randomNormal(shape).toFloatArray();
        }
    }
}
