package dev.conceptprune.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.WeightFormatException;
import org.junit.jupiter.api.Test;

/**
 * Timestep tables for the spacings the reference does not cover, worked out by hand from
 * diffusers 0.29's formulas (T = 1000 train steps, N inference steps, numpy float64, round half
 * to even) on SD 1.5's config (steps_offset 1).
 */
class SchedulerSpacingTest {
    static Scheduler build(String kind, String spacing, int steps) {
        JsonObject o = Config.read(SchedulerReferenceTest.CONFIG).json().deepCopy();
        o.addProperty("timestep_spacing", spacing);
        Scheduler s = Schedulers.fromConfig(o, kind, SchedulerReferenceTest.CONFIG);
        s.setTimesteps(steps);
        return s;
    }

    @Test
    void ddimTrailing() {
        // round(arange(1000, 0, -1000/5)) - 1 = [1000, 800, 600, 400, 200] - 1; no steps_offset
        assertArrayEquals(new float[] {999, 799, 599, 399, 199}, build("ddim", "trailing", 5).timesteps());
    }

    @Test
    void ddimLinspace() {
        // round(linspace(0, 999, 5))[::-1]: 999, 749.25 -> 749, 499.5 -> 500 (half to even),
        // 249.75 -> 250, 0; no steps_offset
        assertArrayEquals(new float[] {999, 749, 500, 250, 0}, build("ddim", "linspace", 5).timesteps());
    }

    @Test
    void pndmTrailingAndLinspaceRepeatTheSecondTimestep() {
        // the same tables; PLMS uses the second timestep twice, so N steps make N + 1 calls
        Scheduler trailing = build("pndm", "trailing", 5);
        assertArrayEquals(new float[] {999, 799, 799, 599, 399, 199}, trailing.timesteps());
        assertEquals(6, trailing.numModelCalls());
        assertArrayEquals(new float[] {999, 749, 749, 500, 250, 0}, build("pndm", "linspace", 5).timesteps());
    }

    @Test
    void pndmWithOneStepMakesOneCall() {
        // leading: arange(1) * 1000 + 1 = [1]; nothing to repeat
        assertArrayEquals(new float[] {1}, build("pndm", "leading", 1).timesteps());
    }

    @Test
    void trailingFollowsNumpyArangeRounding() {
        // arange(1000, 0, -r), r = 1000/48 = 20.8333..., fills element i as 1000 + i * d with
        // d = (1000 - r) - 1000 = -20.83333333333337 (rounded at 979's ulp): element 3 is
        // 937.4999999999999 -> 937 -> 936, where 1000 - 3 * r = 937.5 would give 938 -> 937
        float[] t = build("ddim", "trailing", 48).timesteps();
        assertEquals(48, t.length);
        assertArrayEquals(new float[] {999, 978, 957, 936}, java.util.Arrays.copyOf(t, 4));
    }

    @Test
    void trailingRejectsTheSpuriousExtraTimestep() {
        // ceil(1000 / (1000/61)) = 62 elements; the 62nd is ~ -6e-13 and becomes timestep -1
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> build("ddim", "trailing", 61));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }

    @Test
    void eulerSpacingsAndInitNoiseSigma() {
        // trailing: the integer table as floats; init_noise_sigma = sigma_max itself
        Scheduler trailing = build("euler", "trailing", 5);
        assertArrayEquals(new float[] {999, 799, 599, 399, 199}, trailing.timesteps());
        float sigmaMax = ((EulerDiscreteScheduler) trailing).sigmas()[0];
        assertEquals(sigmaMax, trailing.initNoiseSigma(), 0f);
        // leading: arange(5) * 200 + 1; init_noise_sigma = sqrt(sigma_max^2 + 1)
        Scheduler leading = build("euler", "leading", 5);
        assertArrayEquals(new float[] {801, 601, 401, 201, 1}, leading.timesteps());
        float s = ((EulerDiscreteScheduler) leading).sigmas()[0];
        assertEquals((float) Math.sqrt(s * s + 1f), leading.initNoiseSigma(), 0f);
    }

    @Test
    void dpmLeadingAndTrailing() {
        // leading: r = 1000 // (5 + 1) = 166; arange(6) * 166 reversed without its last 0, + 1
        assertArrayEquals(new float[] {831, 665, 499, 333, 167}, build("dpm++", "leading", 5).timesteps());
        // trailing: round(arange(1000, 0, -200)) - 1
        assertArrayEquals(new float[] {999, 799, 599, 399, 199}, build("dpm++", "trailing", 5).timesteps());
    }

    @Test
    void stepsOffsetPastTheTrainRangeIsAConfigError() {
        JsonObject o = Config.read(SchedulerReferenceTest.CONFIG).json().deepCopy();
        o.addProperty("steps_offset", 300);
        Scheduler s = Schedulers.fromConfig(o, "ddim", SchedulerReferenceTest.CONFIG);
        // arange(5) * 200 + 300 reaches 1100
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> s.setTimesteps(5));
        assertTrue(e.getMessage().contains("steps_offset"), e.getMessage());
    }
}
