package dev.conceptprune.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The forward process against the gradients fixture, where Python computed
 * {@code x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps} at t = 500 of tiny-sd's schedule.
 */
class AddNoiseTest {
    private static final Path FIXTURE = Fixtures.ROOT.resolve("gradients/diffusion_loss_grads.safetensors");
    private static final Path CONFIG = Fixtures.TINY_SD.resolve("scheduler/scheduler_config.json");
    private static final int T = 500;

    @Test
    void ddpmFormMatchesTheFixture() {
        try (SafetensorsFile f = SafetensorsFile.open(FIXTURE)) {
            for (String kind : new String[] {"pndm", "ddim", "dpm++"}) {
                Scheduler s = Schedulers.fromConfigFile(CONFIG, kind);
                // measured 4.8e-7 (1-2 ulp at |x_t| up to 4): the fixture does not record its op order
                assertArrayEquals(f.readFloats("x_t"), s.addNoise(f.readFloats("x0"), f.readFloats("eps"), T), 1e-6f,
                        kind);
            }
        }
    }

    @Test
    void eulerAddsSigmaScaledNoise() {
        Scheduler euler = Schedulers.fromConfigFile(CONFIG, "euler");
        float abar;
        try (SafetensorsFile f = SafetensorsFile.open(FIXTURE)) {
            abar = Float.parseFloat(f.metadata().get("alphas_cumprod_t"));
        }
        float sigma = (float) Math.sqrt((1f - abar) / abar);
        float[] noisy = euler.addNoise(new float[] {1f, -2f}, new float[] {0.5f, 3f}, T);
        assertArrayEquals(new float[] {1f + 0.5f * sigma, -2f + 3f * sigma}, noisy, 0f);
    }

    @Test
    void refusesTimestepsOutsideTraining() {
        Scheduler s = Schedulers.fromConfigFile(CONFIG, "ddim");
        assertThrows(IllegalArgumentException.class, () -> s.addNoise(new float[1], new float[1], 1000));
        assertThrows(IllegalArgumentException.class, () -> s.addNoise(new float[1], new float[2], 0));
    }
}
