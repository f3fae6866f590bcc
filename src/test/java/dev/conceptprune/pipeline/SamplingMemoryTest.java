package dev.conceptprune.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.ModelSource;
import org.junit.jupiter.api.Test;

/** The activation estimate of a run's largest step, and the refusal with its figures. */
class SamplingMemoryTest {
    private final ModelSource toy = ModelSource.open(Fixtures.TOYWORLD);

    @Test
    void theToyModelAt512IsDominatedByTheDecoder() {
        SamplingMemory.Estimate e = SamplingMemory.estimate(toy, 512, 512, 2, 1);
        // 512^2 pixels x 4 bytes x (11 x 64 + 2 x 32 + 3) channels: the measured peak grew by 718 MB.
        assertEquals(808.45e6, e.decoderBytes(), 1e4);
        assertTrue(e.unetBytes() < e.decoderBytes(), e.toString());
        assertEquals("the VAE decoder's activations", e.largestStep());
        SamplingMemory.Estimate noDecode = SamplingMemory.estimate(toy, 512, 512, 2, 0);
        assertEquals("the UNet's activations", noDecode.largestStep());
        assertTrue(SamplingMemory.estimate(toy, 512, 512, 4, 0).unetBytes() == 2 * noDecode.unetBytes(),
                "the UNet's activations grow with the batch rows");
    }

    @Test
    void sizesThatOverflowAnIntAreEstimatedNotWrapped() {
        SamplingMemory.Estimate e = SamplingMemory.estimate(toy, 2147483640, 2147483640, 2, 1);
        assertTrue(Double.isFinite(e.totalBytes()) && e.totalBytes() > 1e20, e.toString());
    }

    @Test
    void aRunBeyondTheAvailableMemoryIsRefusedWithTheFigures() {
        SamplingMemory.Estimate e = SamplingMemory.estimate(toy, 512, 100000, 2, 1);
        InputException x = assertThrows(InputException.class,
                () -> SamplingMemory.require(e, 512, 100000, 23_000_000_000L));
        assertTrue(x.getMessage().startsWith("512x100000 needs about 159 GB of memory (158 GB for the VAE decoder's"),
                x.getMessage());
        assertTrue(x.getMessage().endsWith("this machine has 23 GB available"), x.getMessage());
        SamplingMemory.require(e, 512, 100000, -1);
        SamplingMemory.require(SamplingMemory.estimate(toy, 512, 512, 2, 1), 512, 512, 23_000_000_000L);
    }
}
