package dev.conceptprune.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.conceptprune.io.Config;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** DDIM's clip_sample: diffusers' default when missing, a warning then, and the toy config saying false. */
class ClipSampleDefaultTest {
    private static final Path TOY = Path.of("models/toyworld/model/scheduler/scheduler_config.json");
    private static final float[] WIDE = {3f, -2.5f, 0.2f};

    private static Scheduler build(String kind, JsonObject config) {
        Scheduler s = Schedulers.fromConfig(config, kind, TOY);
        s.setTimesteps(5);
        return s;
    }

    private static float[] run(Scheduler s) {
        float[] x = WIDE;
        for (int i = 0; i < s.numModelCalls(); i++) {
            x = s.step(new float[] {0.1f, -0.1f, 0.05f}, i, x);
        }
        return x;
    }

    @Test
    void theToyConfigSaysClipSampleFalse() {
        JsonObject toy = Config.read(TOY).json();
        assertFalse(toy.get("clip_sample").getAsBoolean());
        assertEquals(0, build("ddim", toy).warnings().size());
    }

    @Test
    void aMissingClipSampleKeepsDiffusersDefaultAndWarnsOnce() {
        JsonObject missing = Config.read(TOY).json().deepCopy();
        missing.remove("clip_sample");
        Scheduler ddim = build("ddim", missing);
        assertEquals(1, ddim.warnings().size());
        assertTrue(ddim.warnings().get(0).contains("clip_sample"), ddim.warnings().get(0));
        JsonObject clipped = missing.deepCopy();
        clipped.addProperty("clip_sample", true);
        assertArrayEquals(run(build("ddim", clipped)), run(ddim));
        assertFalse(java.util.Arrays.equals(run(build("ddim", Config.read(TOY).json())), run(ddim)),
                "clipping changes wide latents");
    }

    @Test
    void pndmIgnoresTheKeySoTheDemoIsUnchanged() {
        JsonObject without = Config.read(TOY).json().deepCopy();
        without.remove("clip_sample");
        Scheduler before = build(null, without);
        Scheduler after = build(null, Config.read(TOY).json());
        assertArrayEquals(before.timesteps(), after.timesteps());
        assertArrayEquals(run(before), run(after));
        assertEquals(0, before.warnings().size());
    }
}
