package dev.conceptprune.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.conceptprune.Fixtures;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity that keys an attack's records. */
class PromptAttackPlanTest {
    @TempDir
    Path tmp;

    @Test
    void anotherConvolutionAlgorithmIsAnotherIdentity() {
        PromptAttackRequest r = new PromptAttackRequest(Fixtures.TOYWORLD, Fixtures.TOYWORLD, List.of("a red star"),
                List.of("a red star in the style of Stripes"), List.of(0L), new UnlearnDiffAtk.Settings(2, 2, 1,
                0.01, 0.1), new GenerationSettings("", "", 2, 7.5, null, 0, 64, 64, 1, null), "Stripes",
                tmp.resolve("out"), false);
        String byDefault = PromptAttackPlan.identity(r, null);
        assertEquals(byDefault, PromptAttackPlan.identity(r, null), "one run's identity is stable");
        try {
            Runtime.setConvAlgorithm(ConvAlgorithm.DIRECT);
            String direct = PromptAttackPlan.identity(r, null);
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD4);
            String winograd4 = PromptAttackPlan.identity(r, null);
            assertNotEquals(byDefault, direct);
            assertNotEquals(byDefault, winograd4);
            assertNotEquals(direct, winograd4);
        } finally {
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
        }
    }
}
