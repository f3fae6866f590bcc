package dev.conceptprune.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.runtime.Runtime;
import java.util.List;

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

    /**
     * One draw per seed of {@code perSample} (first dimension 1), concatenated along the batch:
     * the initial latents of images each generated from its own seed.
     */
    public static float[] drawEach(List<Long> seeds, Shape perSample) {
        int size = Math.toIntExact(perSample.size());
        float[] all = new float[seeds.size() * size];
        for (int i = 0; i < seeds.size(); i++) {
            System.arraycopy(draw(seeds.get(i), perSample), 0, all, i * size, size);
        }
        return all;
    }
}
