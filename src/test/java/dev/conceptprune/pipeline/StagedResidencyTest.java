package dev.conceptprune.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.runtime.MemoryCheck;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.unet.UNet2DConditionModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Text encoders and UNet taking turns ({@link Residency#STAGED}) give the images and the discovery
 * statistics of a resident pipeline bit for bit, and the memory plan takes turns only when the
 * weights do not fit together.
 */
class StagedResidencyTest {
    @Test
    void stagedSdxlDrawsTheResidentImageAndSwapsItsComponents() {
        ModelSource xl = DiffusersFolder.open(Fixtures.TINY_SDXL);
        try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.TINY_SDXL.resolve("reference/pipeline_euler_64.safetensors"));
             StableDiffusionPipeline resident = StableDiffusionPipeline.load(xl, Runtime.cpu(), Residency.RESIDENT);
             StableDiffusionPipeline staged = StableDiffusionPipeline.load(xl, Runtime.cpu(), Residency.STAGED)) {
            GenerationSettings s = SdxlPipelineTest.referenceSettings(ref);
            float[] a = resident.generate(s, StepListener.NONE).pixels();
            float[] b = staged.generate(s, StepListener.NONE).pixels();
            assertArrayEquals(a, b, "taking turns changes no pixel");

            UNet2DConditionModel before = staged.unet();
            try (NDManager m = NDManager.newBaseManager()) {
                staged.encodePrompts(m, "a castle");
            }
            assertNotSame(before, staged.unet(), "an encoding released the UNet, the next call reloaded it");
            UNet2DConditionModel kept = resident.unet();
            try (NDManager m = NDManager.newBaseManager()) {
                resident.encodePrompts(m, "a castle");
            }
            assertSame(kept, resident.unet(), "a resident UNet stays");
        }
    }

    @Test
    void stagedDiscoveryKeepsItsObserverAcrossReloads() {
        ModelSource sd = DiffusersFolder.open(Fixtures.TINY_SD);
        GenerationSettings s = new GenerationSettings("", "", 3, 7.5, null, 0, 64, 64, 1, null);
        List<PromptPair> pairs = List.of(new PromptPair("a house", "a house by Van Gogh", 0),
                new PromptPair("a tree", "a tree by Van Gogh", 1));
        ConceptDiscovery.Result a;
        ConceptDiscovery.Result b;
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(sd, Runtime.cpu(), Residency.RESIDENT)) {
            a = new ConceptDiscovery(p, s, 3, 1, null).run(pairs);
        }
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(sd, Runtime.cpu(), Residency.STAGED)) {
            b = new ConceptDiscovery(p, s, 3, 1, null).run(pairs);
        }
        for (int t = 0; t < a.base().calls(); t++) {
            for (int l = 0; l < a.base().layers(); l++) {
                assertArrayEquals(a.base().norm(t, l), b.base().norm(t, l), "base t=" + t + " l=" + l);
                assertArrayEquals(a.target().norm(t, l), b.target().norm(t, l), "target t=" + t + " l=" + l);
            }
        }
    }

    @Test
    void thePlanTakesTurnsOnlyWhenTheWeightsDoNotFitTogether() {
        ModelSource xl = DiffusersFolder.open(Fixtures.TINY_SDXL);
        long all = Residency.RESIDENT.peakParameters(xl);
        long staged = Residency.STAGED.peakParameters(xl);
        assertTrue(staged < all, staged + " < " + all);
        long between = (long) ((all + staged) / 2.0 * 4 * 1.5);
        assertTrue(MemoryCheck.fits(staged, between) && !MemoryCheck.fits(all, between));
        assertEquals(Residency.STAGED, Residency.choose(xl, between));
        assertEquals(Residency.RESIDENT, Residency.choose(xl, 1L << 40));
        SamplingMemory.Estimate plan = SamplingMemory.plan(xl, 64, 64, 2, 1, DecodeTiling.AUTO, between);
        assertEquals(Residency.STAGED, plan.residency());
        assertEquals(4.0 * staged, plan.weightBytes());
        assertTrue(plan.plan().contains("text encoders and UNet in turn"), plan.plan());
    }
}
