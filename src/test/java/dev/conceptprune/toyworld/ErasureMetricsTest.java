package dev.conceptprune.toyworld;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The erasure's rates count each target image once: still the style, another style, or none. */
class ErasureMetricsTest {
    private static ErasureMetrics.Sample target(String before, String after) {
        return new ErasureMetrics.Sample(ToyPrompt.of("a red star in the style of Stripes"), true, new float[3],
                new float[3], before, after);
    }

    @Test
    void tellsAPlainImageFromAnotherStyle() {
        ErasureMetrics m = ErasureMetrics.of("Stripes", List.of(target("Stripes", "none"),
                target("Stripes", "Polka"), target("Stripes", "Waves"), target("Stripes", "Stripes")));
        assertEquals(0.25, m.targetStyleAfter());
        assertEquals(0.25, m.targetNoStyleAfter());
        assertEquals(0.0, m.targetNoStyleBefore());
        assertEquals(4, m.targetCount());
    }
}
