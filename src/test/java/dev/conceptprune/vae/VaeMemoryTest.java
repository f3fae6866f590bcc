package dev.conceptprune.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.model.DiffusersFolder;
import org.junit.jupiter.api.Test;

/**
 * Repeated calls must leave nothing in the model's manager (which would grow without bound over
 * a long run) and nothing but their results in the caller's manager.
 */
class VaeMemoryTest {
    @Test
    void callsLeaveNoArraysBehind() {
        try (NDManager base = NDManager.newBaseManager();
             NDManager model = base.newSubManager();
             NDManager caller = base.newSubManager()) {
            AutoencoderKL vae = AutoencoderKL.load(DiffusersFolder.open(Fixtures.TINY_SD), model);
            int weights = model.getManagedArrays().size();
            // A capped manager refuses new arrays, so any op chain started from a weight fails loudly.
            model.cap();
            NDArray latents = caller.randomNormal(new Shape(1, 4, 16, 16));
            NDArray image = caller.randomUniform(-1, 1, new Shape(1, 3, 64, 64));
            int before = caller.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                vae.decode(latents).close();
                vae.decodeRaw(latents).close();
                vae.encodeMean(image).close();
                vae.moments(image).close();
                vae.encode(image).close();
            }
            assertEquals(weights, model.getManagedArrays().size(), "arrays in the model manager");
            assertEquals(before, caller.getManagedArrays().size(), "arrays in the caller's manager");
        }
    }
}
