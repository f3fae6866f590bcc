package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A discovery killed after some prompts resumes from its checkpoint and yields the identical statistics. */
class DiscoveryCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void interruptedDiscoveryResumesToTheSameResult() {
        List<PromptPair> pairs = List.of(new PromptPair("a cat", "a cat in the style of Van Gogh", 0),
                new PromptPair("a dog", "a dog in the style of Van Gogh", 0),
                new PromptPair("a bird", "a bird in the style of Van Gogh", 3));
        GenerationSettings s = new GenerationSettings("", "", 3, 7.5, "pndm", 0, 64, 64, 1, null);
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(DiffusersFolder.open(Fixtures.TINY_SD))) {
            ConceptDiscovery.Result whole = new ConceptDiscovery(pipe, s, 3, 1, null).run(pairs);
            Path file = tmp.resolve("ckpt.safetensors");
            DiscoveryCheckpoint ckpt = new DiscoveryCheckpoint(file, "key-1");
            RuntimeException killed = assertThrows(RuntimeException.class, () -> new ConceptDiscovery(pipe, s, 3, 1, null)
                    .withCheckpoint(ckpt).afterBatch(done -> {
                        if (done == 3) {
                            throw new RuntimeException("killed after 3 prompts");
                        }
                    }).run(pairs));
            assertEquals("killed after 3 prompts", killed.getMessage());
            assertTrue(Files.exists(file));
            int[] batches = {0};
            ConceptDiscovery.Result resumed = new ConceptDiscovery(pipe, s, 3, 1, null).withCheckpoint(ckpt)
                    .afterBatch(done -> batches[0]++).run(pairs);
            assertEquals(3, batches[0], "only the 3 remaining prompts ran");
            for (int t = 0; t < 3; t++) {
                for (int l = 0; l < whole.base().layers(); l++) {
                    assertArrayEquals(whole.base().sumSquares(t, l), resumed.base().sumSquares(t, l));
                    assertArrayEquals(whole.target().sumSquares(t, l), resumed.target().sumSquares(t, l));
                }
            }
            DiscoveryCheckpoint other = new DiscoveryCheckpoint(file, "key-2");
            int[] all = {0};
            new ConceptDiscovery(pipe, s, 3, 1, null).withCheckpoint(other).afterBatch(done -> all[0]++).run(pairs);
            assertEquals(6, all[0], "a checkpoint of other settings is ignored");
        }
    }

    @Test
    void theCheckpointKeyNamesAConvolutionAlgorithmOtherThanTheDefault() {
        Concept c = Concept.style("Van Gogh", 0);
        GenerationSettings s = new GenerationSettings("", "", 3, 7.5, "pndm", 0, 64, 64, 1, null);
        String byDefault = EraseJob.checkpointKey("fp", c, PruneSite.FFN2, 10, 2, s, Runtime.cpu());
        try {
            Runtime.setConvAlgorithm(ConvAlgorithm.DIRECT);
            String direct = EraseJob.checkpointKey("fp", c, PruneSite.FFN2, 10, 2, s, Runtime.cpu());
            assertEquals(byDefault + "|conv=direct", direct);
        } finally {
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
        }
        assertFalse(byDefault.contains("conv"), byDefault);
    }
}
