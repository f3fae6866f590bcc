package dev.conceptprune.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.clip.ClipTextConfig;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.ldm.LdmFamily;
import dev.conceptprune.pipeline.GeneratedImages;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.VaeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SD 1.x single file of the tiny-sd1-single fixture (and the same tensors as a legacy .ckpt)
 * as a model source: configs inferred from the file alone, and a 5-step PNDM run against
 * diffusers' {@code from_single_file} reference.
 */
class SingleFileSourceTest {
    private static final Path DIR = Fixtures.ROOT.resolve("tiny-sd1-single");
    private static final Path REFERENCE = DIR.resolve("reference/pipeline_pndm_128.safetensors");

    @Test
    void configsFromTheFileAloneMatchTheFolder() {
        ModelSource single = ModelSource.open(DIR.resolve("tiny-sd1c.safetensors"));
        DiffusersFolder folder = DiffusersFolder.open(DIR.resolve("diffusers"));
        assertEquals(LdmFamily.SD1, ((SingleFileSource) single).family());
        UNetConfig u = UNetConfig.from(single.config(Component.UNET));
        UNetConfig uf = UNetConfig.from(folder.config(Component.UNET));
        assertArrayEquals(uf.blockOutChannels(), u.blockOutChannels());
        assertArrayEquals(uf.layersPerBlock(), u.layersPerBlock());
        assertArrayEquals(uf.attentionHeads(), u.attentionHeads());
        assertArrayEquals(uf.crossAttentionDim(), u.crossAttentionDim());
        assertEquals(uf.downBlockTypes(), u.downBlockTypes());
        assertEquals(uf.upBlockTypes(), u.upBlockTypes());
        assertEquals(uf.useLinearProjection(), u.useLinearProjection());
        VaeConfig v = VaeConfig.from(single.config(Component.VAE));
        VaeConfig vf = VaeConfig.from(folder.config(Component.VAE));
        assertArrayEquals(vf.blockOutChannels(), v.blockOutChannels());
        assertEquals(vf.layersPerBlock(), v.layersPerBlock());
        assertEquals(vf.latentChannels(), v.latentChannels());
        assertEquals(vf.scalingFactor(), v.scalingFactor());
        ClipTextConfig text = ClipTextConfig.from(single.config(Component.TEXT_ENCODER));
        assertEquals(ClipTextConfig.from(folder.config(Component.TEXT_ENCODER)), text);
        try (TensorSource a = single.tensors(Component.UNET); TensorSource b = folder.tensors(Component.UNET)) {
            assertEquals(b.names(), a.names());
            for (String n : b.names()) {
                assertArrayEquals(b.info(n).shape(), a.info(n).shape(), n);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-sd1c.safetensors", "tiny-sd1c.ckpt"})
    void fiveStepRunMatchesDiffusersFromSingleFile(String file) {
        try (SafetensorsFile ref = SafetensorsFile.open(REFERENCE);
             StableDiffusionPipeline pipe = StableDiffusionPipeline.load(ModelSource.open(DIR.resolve(file)))) {
            GenerationSettings s = new GenerationSettings("a photo of a cat", "", 5, 7.5, null, 0, 128, 128, 1,
                    ref.readFloats("initial_latents"));
            GeneratedImages img = pipe.generate(s, StepListener.NONE);
            // measured 1.5e-6 for both files (float32 kernels against torch's)
            Fixtures.assertClose(file + " image", ref.readFloats("image"), img.pixels(), 1.5e-5);
        }
    }

    @Test
    void otherFilesAreRefusedInOneLine(@TempDir Path tmp) throws IOException {
        Path text = Files.writeString(tmp.resolve("model.txt"), "not a model");
        InputException e = assertThrows(InputException.class, () -> ModelSource.open(text));
        assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());
        Path empty = Files.write(tmp.resolve("broken.safetensors"), new byte[] {1, 2, 3});
        assertThrows(InputException.class, () -> ModelSource.open(empty));
    }
}
