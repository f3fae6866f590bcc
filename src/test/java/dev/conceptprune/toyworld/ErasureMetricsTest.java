package dev.conceptprune.toyworld;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The erasure's rates count each target image once: still the style, another style, or none; scenes count
 * against the scene the prompt asks for, separately for target and other prompts.
 */
class ErasureMetricsTest {
    private static ErasureMetrics.Sample target(String before, String after) {
        return new ErasureMetrics.Sample(ToyPrompt.of("a red star in the style of Stripes"), true, new float[3],
                new float[3], before, after, "white", "white");
    }

    private static ErasureMetrics.Sample other(String caption, String sceneBefore, String sceneAfter) {
        ToyPrompt p = ToyPrompt.of(caption);
        return new ErasureMetrics.Sample(p, false, new float[3], new float[3], p.style(), p.style(), sceneBefore,
                sceneAfter);
    }

    @Test
    void countsScenesAgainstThePromptsScene() {
        ErasureMetrics m = ErasureMetrics.of("Stripes", List.of(target("Stripes", "none"),
                other("a blue star on grass in the style of Polka", "grass", "white"),
                other("a red cross at night", "night", "night"), other("a red cross", "sky", "white")));
        assertEquals(1.0, m.targetSceneBefore());
        assertEquals(1.0, m.targetSceneAfter());
        assertEquals(2 / 3.0, m.otherSceneBefore(), 1e-12);
        assertEquals(2 / 3.0, m.otherSceneAfter(), 1e-12);
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
