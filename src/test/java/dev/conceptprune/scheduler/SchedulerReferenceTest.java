package dev.conceptprune.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.weights.Config;
import dev.conceptprune.weights.SafetensorsFile;
import dev.conceptprune.weights.WeightFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every scheduler against diffusers 0.29.2 on the SD 1.5 scheduler config. */
class SchedulerReferenceTest {
    static final Path CONFIG = Fixtures.TINY_SD.resolve("scheduler/scheduler_config.json");
    static final Path REF = Fixtures.REFERENCE.resolve("schedulers.safetensors");

    static Scheduler build(String kind) {
        return Schedulers.fromConfigFile(CONFIG, kind);
    }

    @ParameterizedTest
    @CsvSource({"pndm_5,pndm,5", "pndm_50,pndm,50", "ddim_5,ddim,5", "ddim_50,ddim,50", "euler_5,euler,5",
        "euler_50,euler,50", "dpmpp2m_5,dpm++,5", "dpmpp2m_50,dpm++,50"})
    void matchesReferenceTrajectory(String key, String kind, int steps) throws IOException {
        JsonObject meta = JsonParser.parseString(Files.readString(Fixtures.REFERENCE.resolve("schedulers.json")))
                .getAsJsonObject().getAsJsonObject(key);
        try (SafetensorsFile ref = SafetensorsFile.open(REF)) {
            Scheduler s = build(kind);
            s.setTimesteps(steps);
            float[] t = s.timesteps();
            float[] refT = ref.info(key + ".timesteps").dtype().isFloating() ? ref.readFloats(key + ".timesteps")
                    : toFloats(ref.readLongs(key + ".timesteps"));
            assertArrayEquals(refT, t, key + " timesteps");
            assertEquals(meta.get("num_model_calls").getAsInt(), s.numModelCalls());
            assertEquals(meta.get("init_noise_sigma").getAsFloat(), s.initNoiseSigma(), 0f, key + " init_noise_sigma");
            // torch computes sigma = x ** 0.5 with a vectorised pow that may sit one ulp off the
            // correctly rounded square root we take; one ulp of the largest sigma bounds that
            if (s instanceof EulerDiscreteScheduler e) {
                float[] r = ref.readFloats(key + ".sigmas");
                Fixtures.assertClose(key + " sigmas", r, e.sigmas(), Math.ulp((float) Fixtures.maxAbs(r)));
            }
            if (s instanceof DpmSolverMultistepScheduler d) {
                float[] r = ref.readFloats(key + ".sigmas");
                Fixtures.assertClose(key + " sigmas", r, d.sigmas(), Math.ulp((float) Fixtures.maxAbs(r)));
            }
            float[] outputs = ref.readFloats(key + ".model_outputs");
            float[] scaled = ref.readFloats(key + ".scaled_inputs");
            float[] prev = ref.readFloats(key + ".prev_samples");
            float[] x = ref.readFloats(key + ".sample0");
            int n = x.length;
            double worstFree = 0;
            for (int i = 0; i < t.length; i++) {
                float[] in = s.scaleModelInput(x, i);
                float[] refPrev = Fixtures.slice(prev, i * n, n);
                double tol = 1e-4 * Math.max(1, Fixtures.maxAbs(refPrev));
                assertTrue(Fixtures.maxAbsDiff(Fixtures.slice(scaled, i * n, n), in) <= tol, key + " scaled input " + i);
                x = s.step(Fixtures.slice(outputs, i * n, n), i, x);
                double d = Fixtures.maxAbsDiff(refPrev, x);
                worstFree = Math.max(worstFree, d);
                assertTrue(d <= tol, key + " prev sample " + i + ": " + d);
            }
            System.out.printf("%s free-running max abs diff %.3g%n", key, worstFree);
            s.setTimesteps(steps);
            double worstForced = 0;
            for (int i = 0; i < t.length; i++) {
                float[] xi = i == 0 ? ref.readFloats(key + ".sample0") : Fixtures.slice(prev, (i - 1) * n, n);
                float[] got = s.step(Fixtures.slice(outputs, i * n, n), i, xi);
                worstForced = Math.max(worstForced, Fixtures.maxAbsDiff(Fixtures.slice(prev, i * n, n), got));
            }
            System.out.printf("%s teacher-forced max abs diff %.3g%n", key, worstForced);
            assertTrue(worstForced <= 1e-4 * Math.max(1, Fixtures.maxAbs(prev)), key + " teacher forced");
        }
    }

    @Test
    void trainingScheduleMatchesTorch() {
        try (SafetensorsFile ref = SafetensorsFile.open(REF)) {
            SchedulerConfig c = SchedulerConfig.read(Config.read(CONFIG), false, "leading");
            NoiseSchedule ns = new NoiseSchedule(c);
            Fixtures.assertClose("betas", ref.readFloats("betas"), ns.betas, 0);
            Fixtures.assertClose("alphas_cumprod", ref.readFloats("alphas_cumprod"), ns.alphasCumprod, 1e-7);
        }
    }

    @Test
    void otherSpacingsFollowTheDiffusersFormulas() {
        // trailing: round(arange(1000, 0, -1000/N)) - 1 -> 999, 799, 599, 399, 199
        assertArrayEquals(new int[] {999, 799, 599, 399, 199}, Timesteps.spaced("trailing", 5, 1000, 1));
        // linspace: round(linspace(0, 999, N))[::-1] -> 999, 749 (749.25), 500 (499.5 rounds to even), 250, 0
        assertArrayEquals(new int[] {999, 749, 500, 250, 0}, Timesteps.spaced("linspace", 5, 1000, 1));
        // leading with offset 1: arange(N) * (1000 // N) + 1, reversed
        assertArrayEquals(new int[] {801, 601, 401, 201, 1}, Timesteps.spaced("leading", 5, 1000, 1));
    }

    @Test
    void vPredictionChangesDdimAsTheFormulaSays() {
        JsonObject o = Config.read(CONFIG).json().deepCopy();
        o.addProperty("prediction_type", "v_prediction");
        Scheduler v = Schedulers.fromConfig(new Config(CONFIG, o), "ddim");
        v.setTimesteps(5);
        NoiseSchedule ns = new NoiseSchedule(SchedulerConfig.read(new Config(CONFIG, o), true, "leading"));
        float at = ns.alphasCumprod[801];
        float ap = ns.alphasCumprod[601];
        float x = 0.5f;
        float m = -0.25f;
        float sa = (float) Math.sqrt(at);
        float sb = (float) Math.sqrt(1 - at);
        float x0 = sa * x - sb * m;
        float eps = sa * m + sb * x;
        float expected = (float) Math.sqrt(ap) * x0 + (float) Math.sqrt(1 - ap) * eps;
        assertEquals(expected, v.step(new float[] {m}, 0, new float[] {x})[0], 1e-6f);
    }

    @Test
    void badConfigValuesAreNamed() {
        JsonObject o = Config.read(CONFIG).json().deepCopy();
        o.addProperty("num_train_timesteps", "abc");
        WeightFormatException e = assertThrows(WeightFormatException.class,
                () -> Schedulers.fromConfig(new Config(CONFIG, o), "ddim"));
        assertTrue(e.getMessage().contains("num_train_timesteps"), e.getMessage());
        JsonObject p = Config.read(CONFIG).json().deepCopy();
        p.addProperty("_class_name", "LMSDiscreteScheduler");
        assertTrue(assertThrows(WeightFormatException.class, () -> Schedulers.fromConfig(new Config(CONFIG, p), null))
                .getMessage().contains("LMSDiscreteScheduler"));
        Scheduler s = build("pndm");
        assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(0));
        assertThrows(IllegalArgumentException.class, () -> build("heun"));
    }

    private static float[] toFloats(long[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }
}
