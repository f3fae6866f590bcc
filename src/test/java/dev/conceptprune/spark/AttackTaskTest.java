package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.attack.PromptAttackPlan;
import dev.conceptprune.attack.PromptAttackRequest;
import dev.conceptprune.attack.UnlearnDiffAtk;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.toyworld.TextureStyleDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An executor's prompt: one that sees other files than the driver refuses it with a one-line error. */
class AttackTaskTest {
    @TempDir
    Path tmp;

    @Test
    void anExecutorThatSeesOtherFilesRefusesThePrompt() throws Exception {
        PromptAttackRequest r = new PromptAttackRequest(Fixtures.TOYWORLD, Fixtures.TOYWORLD, List.of("a red star"),
                List.of("a red star in the style of Stripes"), List.of(0L), new UnlearnDiffAtk.Settings(2, 2, 1,
                0.01, 0.1), new GenerationSettings("", "", 2, 7.5, null, 0, 64, 64, 1, null), "Stripes",
                tmp.resolve("out"), false);
        // The identity the driver sent is not the one of the toy model's files here.
        PromptAttackPlan plan = new PromptAttackPlan(r, TextureStyleDetector::new, "identity-of-other-files");
        SparkJobs.Outcome o = new AttackTask(plan, ExecutorCompute.withThreads(Runtime.threads()), new StagedInputs(new HadoopFiles(Map.of()), Map.of()), null).call(0);
        assertEquals(0, o.done());
        assertTrue(o.error() != null && o.error().contains("differ on this executor from the driver's")
                && !o.error().contains("\n"), String.valueOf(o.error()));
        assertTrue(!Files.exists(tmp.resolve("out/images")), "nothing written");
    }
}
