package dev.conceptprune.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.Preset;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.vae.VaeTiling;
import org.junit.jupiter.api.Test;

/** The activation estimate of a run's largest step, and the refusal with its figures. */
class SamplingMemoryTest {
    private final ModelSource toy = ModelSource.open(Fixtures.TOYWORLD);

    @Test
    void winogradTemporariesJoinOnceACallWhereItComputes() {
        UNetConfig unet = UNetConfig.from(Preset.SD15.config(Component.UNET));
        VaeConfig vae = VaeConfig.from(Preset.SD15.config(Component.VAE));
        double[] unetExtra = new double[2];
        double decoderExtra;
        try {
            for (int k = 0; k < 2; k++) {
                int rows = 2 << k;
                Runtime.setConvAlgorithm(ConvAlgorithm.DIRECT);
                SamplingMemory.Estimate direct = SamplingMemory.estimate(unet, vae, 0, 512, 512, rows, 1);
                Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
                SamplingMemory.Estimate winograd = SamplingMemory.estimate(unet, vae, 0, 512, 512, rows, 1);
                unetExtra[k] = winograd.unetBytes() - direct.unetBytes();
                decoderExtra = winograd.decoderBytes() - direct.decoderBytes();
                // SD 1.5's VAE: 16 transformed filters of its 512-channel convolutions plus one band of tiles
                assertTrue(decoderExtra > 4.0 * 16 * 512 * 512 && decoderExtra < 150e6, "decoder " + decoderExtra);
            }
        } finally {
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
        }
        // the up path's first convolution at 16x16, 2560 to 1280 channels: 16 transformed 3x3 filters, plus a band
        double filters = 4.0 * 16 * 1280 * 2560;
        assertTrue(unetExtra[0] > filters && unetExtra[0] < filters + 150e6, "UNet " + unetExtra[0]);
        assertEquals(unetExtra[0], unetExtra[1], "once a call, whatever the batch");
        SamplingMemory.Estimate toyDirect;
        try {
            Runtime.setConvAlgorithm(ConvAlgorithm.DIRECT);
            toyDirect = SamplingMemory.estimate(toy, 512, 512, 2, 1);
        } finally {
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
        }
        assertEquals(toyDirect, SamplingMemory.estimate(toy, 512, 512, 2, 1), "the toy model is too narrow for it");
    }

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

    @Test
    void theDecodeIsTiledOnlyWhenTheWholeDecodeWouldNotFit() {
        VaeConfig vae = VaeConfig.from(toy.config(Component.VAE));
        double weights = 4.0 * Residency.RESIDENT.peakParameters(toy);
        double whole = SamplingMemory.decoderBytes(vae, 512, 512, 1, null);
        double own = SamplingMemory.decoderBytes(vae, 512, 512, 1, VaeTiling.of(vae));
        double halves = SamplingMemory.decoderBytes(vae, 512, 512, 1, VaeTiling.ofPixels(32, vae));
        System.out.printf("toy VAE decode at 512x512: whole %.0f MB, in 64-pixel tiles %.0f MB, in 32-pixel tiles "
                + "%.0f MB%n", whole / 1e6, own / 1e6, halves / 1e6);
        assertTrue(halves < own && own < whole / 5, "tiles hold one tile's activations, not the image's");
        long roomy = (long) (weights + whole + SamplingMemory.OVERHEAD_BYTES) + 1;
        assertNull(SamplingMemory.decodeTiling(vae, weights, 512, 512, 1, DecodeTiling.AUTO, roomy));
        assertNull(SamplingMemory.decodeTiling(vae, weights, 512, 512, 1, DecodeTiling.AUTO, -1),
                "unknown memory: whole, as before");
        long tight = (long) (weights + own + SamplingMemory.OVERHEAD_BYTES) + 1;
        assertEquals(VaeTiling.of(vae), SamplingMemory.decodeTiling(vae, weights, 512, 512, 1, DecodeTiling.AUTO, tight));
        long tighter = (long) (weights + halves + SamplingMemory.OVERHEAD_BYTES) + 1;
        assertEquals(new VaeTiling(32, 8),
                SamplingMemory.decodeTiling(vae, weights, 512, 512, 1, DecodeTiling.AUTO, tighter));
        assertEquals(new VaeTiling(48, 12),
                SamplingMemory.decodeTiling(vae, weights, 512, 512, 1, DecodeTiling.always(48), roomy),
                "asked-for tiles are used even where the whole decode fits");
    }

    @Test
    void thePlanNamesTheResidentComponentsAndTheTiles() {
        SamplingMemory.Estimate whole = SamplingMemory.plan(toy, 512, 512, 2, 1, DecodeTiling.AUTO, -1);
        assertTrue(whole.plan().startsWith("text_encoder, unet, vae resident ("), whole.plan());
        assertTrue(whole.plan().contains("VAE decode whole 0.8 GB"), whole.plan());
        SamplingMemory.Estimate tiled = SamplingMemory.plan(toy, 512, 512, 2, 1, DecodeTiling.always(null), -1);
        assertTrue(tiled.plan().contains("VAE decode in 64-pixel tiles"), tiled.plan());
        assertTrue(tiled.totalBytes() < whole.totalBytes(), "the check counts the tiled decode");
        long between = (long) ((tiled.totalBytes() + whole.totalBytes()) / 2);
        SamplingMemory.require(tiled, 512, 512, between);
        InputException x = assertThrows(InputException.class, () -> SamplingMemory.require(whole, 512, 512, between));
        assertTrue(x.getMessage().contains("plan: text_encoder, unet, vae resident"), x.getMessage());
        SamplingMemory.Estimate auto = SamplingMemory.plan(toy, 512, 512, 2, 1, DecodeTiling.AUTO, between);
        assertEquals(VaeTiling.of(VaeConfig.from(toy.config(Component.VAE))), auto.tiling(),
                "tiled automatically: " + auto.plan());
    }
}
