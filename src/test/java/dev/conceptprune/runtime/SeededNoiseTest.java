package dev.conceptprune.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import org.junit.jupiter.api.Test;

/** Seeded latents equal {@code torch.randn(shape, generator=torch.Generator().manual_seed(seed))}. */
class SeededNoiseTest {
    @Test
    void drawsExactlyWhatTorchDraws() {
        try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.ROOT.resolve("seeds/seed_latents.safetensors"))) {
            for (TensorInfo t : ref.tensors().values()) {
                long seed = Long.parseLong(t.name().substring(4, t.name().indexOf('_')));
                float[] got = SeededNoise.draw(seed, new Shape(t.shape()));
                assertArrayEquals(ref.readFloats(t.name()), got, t.name());
            }
        }
    }
}
