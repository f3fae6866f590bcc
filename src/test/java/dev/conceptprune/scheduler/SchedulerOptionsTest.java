package dev.conceptprune.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.WeightFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Config options beyond the reference runs, checked against diffusers' formulas, and config errors. */
class SchedulerOptionsTest {
    static final Path CONFIG = SchedulerReferenceTest.CONFIG;
    static final float[] X = {0.5f, -1.25f, 2f};

    static JsonObject sd15(Consumer<JsonObject> edit) {
        JsonObject o = Config.read(CONFIG).json().deepCopy();
        edit.accept(o);
        return o;
    }

    static Scheduler build(String kind, int steps, Consumer<JsonObject> edit) {
        Scheduler s = Schedulers.fromConfig(sd15(edit), kind, CONFIG);
        s.setTimesteps(steps);
        return s;
    }

    /** Model output of call i: any fixed, call-dependent values. */
    static float[] output(int call) {
        return new float[] {0.3f - 0.1f * call, 0.7f + 0.05f * call, -0.2f * call};
    }

    /** Runs all calls from X and returns the sample before each call, then the final one. */
    static float[][] run(Scheduler s) {
        float[][] xs = new float[s.numModelCalls() + 1][];
        xs[0] = X;
        for (int i = 0; i < s.numModelCalls(); i++) {
            xs[i + 1] = s.step(output(i), i, xs[i]);
        }
        return xs;
    }

    static float alpha(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }

    static float lambda(float sigma) {
        return (float) Math.log(alpha(sigma)) - (float) Math.log(sigma * alpha(sigma));
    }

    /**
     * DPM-Solver++ from sigma s to t, epsilon prediction: x0 = (x - sigma_s alpha_s m) / alpha_s;
     * first order x_t = (sigma_t alpha_t)/(sigma_s alpha_s) x - alpha_t (e^-h - 1) x0, and the
     * second-order term on D1 = (x0 - x0_prev) / r0, r0 = h_prev / h.
     */
    static float[] dpm(float[] sig, int i, float[] x, float[] m, float[] x0Prev, String solver) {
        float ss = sig[i];
        float st = sig[i + 1];
        float h = lambda(st) - lambda(ss);
        float expm = alpha(st) * ((float) Math.exp(-h) - 1f);
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            float x0 = (x[k] - ss * alpha(ss) * m[k]) / alpha(ss);
            out[k] = (st * alpha(st)) / (ss * alpha(ss)) * x[k] - expm * x0;
            if (solver != null) {
                float r0 = (lambda(ss) - lambda(sig[i - 1])) / h;
                float d1 = 1f / r0 * (x0 - x0Prev[k]);
                out[k] = solver.equals("midpoint") ? out[k] - 0.5f * expm * d1
                        : out[k] + alpha(st) * (((float) Math.exp(-h) - 1f) / h + 1f) * d1;
            }
        }
        return out;
    }

    static float[] x0(float[] sig, int i, float[] x, float[] m) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (x[k] - sig[i] * alpha(sig[i]) * m[k]) / alpha(sig[i]);
        }
        return out;
    }

    static void assertClose(float[] expected, float[] actual) {
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], "element " + k);
        }
    }

    @Test
    void dpmLowerOrderFinalWithSigmaMin() {
        float sigmaMin = NoiseSchedule.sigma(new NoiseSchedule(SchedulerConfig.read(Config.read(CONFIG),
                "DPMSolverMultistepScheduler", "linspace", false)).alphasCumprod[0]);
        Scheduler lower = build("dpm++", 5, o -> o.addProperty("final_sigmas_type", "sigma_min"));
        Scheduler second = build("dpm++", 5, o -> {
            o.addProperty("final_sigmas_type", "sigma_min");
            o.addProperty("lower_order_final", false);
        });
        float[] sig = ((DpmSolverMultistepScheduler) lower).sigmas();
        assertEquals(sigmaMin, sig[5], 0f, "sigma_min is the smallest train sigma");
        float[][] a = run(lower);
        float[][] b = run(second);
        for (int i = 1; i < 5; i++) {
            assertArrayEquals(a[i], b[i], "call " + i + " does not depend on lower_order_final");
        }
        // 5 < 15 steps: lower_order_final makes the last step first order, else it is second order
        float[] x0Prev = x0(sig, 3, a[3], output(3));
        assertClose(dpm(sig, 4, a[4], output(4), null, null), a[5]);
        assertClose(dpm(sig, 4, b[4], output(4), x0Prev, "midpoint"), b[5]);
    }

    @Test
    void dpmSolverOrderOneAndHeun() {
        Scheduler order1 = build("dpm++", 5, o -> o.addProperty("solver_order", 1));
        Scheduler heun = build("dpm++", 5, o -> o.addProperty("solver_type", "heun"));
        Scheduler midpoint = build("dpm++", 5, o -> { });
        float[] sig = ((DpmSolverMultistepScheduler) midpoint).sigmas();
        float[] x1 = midpoint.step(output(0), 0, X);
        assertArrayEquals(x1, order1.step(output(0), 0, X), "the first step is first order for all");
        assertArrayEquals(x1, heun.step(output(0), 0, X));
        float[] x0Prev = x0(sig, 0, X, output(0));
        assertClose(dpm(sig, 1, x1, output(1), null, null), order1.step(output(1), 1, x1));
        assertClose(dpm(sig, 1, x1, output(1), x0Prev, "midpoint"), midpoint.step(output(1), 1, x1));
        assertClose(dpm(sig, 1, x1, output(1), x0Prev, "heun"), heun.step(output(1), 1, x1));
    }

    @Test
    void dpmLambdaMinClippedMovesTheLastTimestep(@TempDir Path dir) throws IOException {
        float[] ac = new NoiseSchedule(SchedulerConfig.read(Config.read(CONFIG), "DPMSolverMultistepScheduler",
                "linspace", false)).alphasCumprod;
        // threshold between lambda(994) and lambda(995): the 5 steps 995..999 fall below, so
        // last_timestep = 995 and the table is round(linspace(0, 994, 6)) reversed without 0
        double threshold = (lambdaAt(ac[994]) + lambdaAt(ac[995])) / 2;
        Scheduler s = build("dpm++", 5, o -> o.addProperty("lambda_min_clipped", threshold));
        assertArrayEquals(new float[] {994, 795, 596, 398, 199}, s.timesteps());
        // diffusers writes the default as a bare -Infinity, which Gson reads back as a string
        Path file = dir.resolve("scheduler_config.json");
        Files.writeString(file, "{\"_class_name\": \"DPMSolverMultistepScheduler\", \"lambda_min_clipped\": -Infinity,"
                + " \"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085, \"beta_end\": 0.012}");
        Scheduler fromFile = Schedulers.fromConfigFile(file, null);
        fromFile.setTimesteps(5);
        assertArrayEquals(new float[] {999, 799, 599, 400, 200}, fromFile.timesteps());
    }

    private static double lambdaAt(float a) {
        return (float) Math.log((float) Math.sqrt(a)) - (float) Math.log((float) Math.sqrt(1f - a));
    }

    @Test
    void eulerSigmaMinIsTheLastSigma() {
        Scheduler s = build("euler", 5, o -> o.addProperty("final_sigmas_type", "sigma_min"));
        float[] sig = ((EulerDiscreteScheduler) s).sigmas();
        assertEquals(sig[sig.length - 2], ((EulerDiscreteScheduler) build("euler", 5, o -> { })).sigmas()[4], 0f);
        // timestep 0 interpolates exactly to the train table's first sigma, which sigma_min is
        assertEquals(sig[sig.length - 2], sig[sig.length - 1], 0f);
    }

    @Test
    void vPredictionChangesDdimAsTheFormulaSays() {
        Scheduler v = build("ddim", 5, o -> o.addProperty("prediction_type", "v_prediction"));
        Scheduler eps = build("ddim", 5, o -> { });
        float[] ac = new NoiseSchedule(SchedulerConfig.read(Config.read(CONFIG), "DDIMScheduler", "leading", true))
                .alphasCumprod;
        // call 0: t = 801, previous 601; x0 = sqrt(a) x - sqrt(1-a) v, eps = sqrt(a) v + sqrt(1-a) x,
        // x_prev = sqrt(a_prev) x0 + sqrt(1 - a_prev) eps
        float at = ac[801];
        float ap = ac[601];
        float sa = (float) Math.sqrt(at);
        float sb = (float) Math.sqrt(1f - at);
        float[] m = output(0);
        float[] got = v.step(m, 0, X);
        for (int k = 0; k < X.length; k++) {
            float x0 = sa * X[k] - sb * m[k];
            float e = sa * m[k] + sb * X[k];
            assertEquals((float) Math.sqrt(ap) * x0 + (float) Math.sqrt(1f - ap) * e, got[k]);
        }
        assertNotEquals(eps.step(m, 0, X)[0], got[0]);
    }

    @Test
    void trainedBetasGiveTheSameSchedule() {
        try (SafetensorsFile ref = SafetensorsFile.open(SchedulerReferenceTest.REF)) {
            float[] betas = ref.readFloats("betas");
            JsonArray a = new JsonArray();
            for (float b : betas) {
                a.add((double) b);
            }
            JsonObject o = sd15(c -> c.add("trained_betas", a));
            NoiseSchedule ns = new NoiseSchedule(SchedulerConfig.read(new Config(CONFIG, o), "DDIMScheduler",
                    "leading", true));
            assertArrayEquals(ref.readFloats("alphas_cumprod"), ns.alphasCumprod);
        }
    }

    @Test
    void squaredcosBetasMatchPython() {
        // CPython: min(1 - f((i+1)/1000) / f(i/1000), 0.999), f(t) = cos((t+0.008)/1.008 * pi/2)**2,
        // then float32; all 1000 were compared once, these are pinned
        JsonObject o = sd15(c -> c.addProperty("beta_schedule", "squaredcos_cap_v2"));
        float[] b = new NoiseSchedule(SchedulerConfig.read(new Config(CONFIG, o), "DDIMScheduler", "leading", true))
                .betas;
        assertEquals(4.128422369831242e-05f, b[0], 0f);
        assertEquals(4.614175122696906e-05f, b[1], 0f);
        assertEquals(0.003145886119455099f, b[499], 0f);
        assertEquals(0.7499994039535522f, b[998], 0f);
        assertEquals(0.999f, b[999], 0f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pndm", "ddim", "euler", "dpm++"})
    void wrongTypedKeyIsNamed(String kind) {
        WeightFormatException e = assertThrows(WeightFormatException.class,
                () -> Schedulers.fromConfig(sd15(o -> o.addProperty("num_train_timesteps", "abc")), kind, CONFIG));
        assertTrue(e.getMessage().contains("'num_train_timesteps'") && e.getMessage().contains(CONFIG.toString()),
                e.getMessage());
    }

    @Test
    void invalidValuesAreNamed() {
        assertNamed("trained_betas", "ddim", o -> {
            JsonArray a = new JsonArray();
            a.add("x");
            o.add("trained_betas", a);
        });
        assertNamed("beta_schedule", "ddim", o -> o.addProperty("beta_schedule", "cosine"));
        assertNamed("timestep_spacing", "euler", o -> o.addProperty("timestep_spacing", "uniform"));
        assertNamed("prediction_type", "pndm", o -> o.addProperty("prediction_type", "sample"));
        assertNamed("skip_prk_steps", "pndm", o -> o.addProperty("skip_prk_steps", false));
        assertNamed("use_karras_sigmas", "euler", o -> o.addProperty("use_karras_sigmas", true));
        assertNamed("use_karras_sigmas", "dpm++", o -> o.addProperty("use_karras_sigmas", true));
        assertNamed("solver_order", "dpm++", o -> o.addProperty("solver_order", 3));
        assertNamed("final_sigmas_type", "dpm++", o -> o.addProperty("final_sigmas_type", "max"));
        assertNamed("algorithm_type", "dpm++", o -> o.addProperty("algorithm_type", "sde-dpmsolver++"));
        assertNamed("clip_sample", "ddim", o -> o.addProperty("clip_sample", "no"));
    }

    private static void assertNamed(String key, String kind, Consumer<JsonObject> edit) {
        WeightFormatException e = assertThrows(WeightFormatException.class,
                () -> Schedulers.fromConfig(sd15(edit), kind, CONFIG));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void unknownClassOrKindListsTheSupportedOnes() {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> Schedulers.fromConfig(
                sd15(o -> o.addProperty("_class_name", "LMSDiscreteScheduler")), null, CONFIG));
        assertTrue(e.getMessage().contains("LMSDiscreteScheduler") && e.getMessage().contains("DDIMScheduler"),
                e.getMessage());
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.fromConfigFile(CONFIG, "heun"));
        assertTrue(k.getMessage().contains("heun") && k.getMessage().contains("dpm++"), k.getMessage());
    }

    @Test
    void classNameChoosesTheScheduler() {
        assertEquals("pndm", Schedulers.fromConfigFile(CONFIG, null).name());
        assertEquals("euler", Schedulers.fromConfig(sd15(o -> o.addProperty("_class_name", "EulerDiscreteScheduler")),
                null, CONFIG).name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pndm", "ddim", "euler", "dpm++"})
    void misuseIsRejected(String kind) {
        Scheduler s = Schedulers.fromConfigFile(CONFIG, kind);
        assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(0));
        assertThrows(IllegalStateException.class, () -> s.step(output(0), 0, X));
        s.setTimesteps(5);
        assertThrows(IllegalArgumentException.class, () -> s.step(output(0), s.numModelCalls(), X));
        assertThrows(IllegalArgumentException.class, () -> s.step(new float[2], 0, X));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pndm", "dpm++"})
    void multistepCallsMustComeInOrder(String kind) {
        Scheduler s = Schedulers.fromConfigFile(CONFIG, kind);
        s.setTimesteps(5);
        s.step(output(0), 0, X);
        assertThrows(IllegalStateException.class, () -> s.step(output(2), 2, X));
        s.setTimesteps(5);
        s.step(output(0), 0, X);
    }
}
