package dev.conceptprune.pipeline;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.WeightFormatException;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.vae.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The 4-step Euler run against diffusers' StableDiffusionXLPipeline on the tiny SDXL folder. */
class SdxlPipelineTest {
    private static StableDiffusionPipeline pipe;
    private static SafetensorsFile ref;

    @BeforeAll
    static void load() {
        pipe = StableDiffusionPipeline.load(DiffusersFolder.open(Fixtures.TINY_SDXL));
        ref = SafetensorsFile.open(Fixtures.TINY_SDXL.resolve("reference/pipeline_euler_64.safetensors"));
    }

    @AfterAll
    static void close() {
        ref.close();
        pipe.close();
    }

    static GenerationSettings referenceSettings(SafetensorsFile ref) {
        return new GenerationSettings(ref.metadata().get("prompt"), "", 4, 5.0, "euler", 0, 64, 64, 1,
                ref.readFloats("initial_latents"));
    }

    @Test
    void eulerRunMatchesDiffusers() throws IOException {
        assertTrue(pipe.conditioner() instanceof SdxlTextConditioner);
        GenerationSettings s = referenceSettings(ref);
        float[] after = ref.readFloats("latents_after_step");
        int n = after.length / 4;
        for (int k = 1; k <= 4; k++) {
            float[] got = pipe.sample(List.of(s.prompt()), s, s.initialLatents(), StepListener.NONE, k);
            Fixtures.assertClose("latents after step " + k, Fixtures.slice(after, (k - 1) * n, n), got, 1e-4);
        }
        GeneratedImages img = pipe.generate(s, StepListener.NONE);
        // measured 2.7e-5 on latents of magnitude 13.8 (step 4), 1.9e-6 on the image
        Fixtures.assertClose("image", ref.readFloats("image"), img.pixels(), 2e-5);
        BufferedImage png = ImageIO.read(Fixtures.TINY_SDXL.resolve("reference/pipeline_euler_64.png").toFile());
        BufferedImage mine = Images.toImage(img.pixels(), 0, 64, 64);
        int differing = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                if (png.getRGB(x, y) != mine.getRGB(x, y)) {
                    differing++;
                }
            }
        }
        System.out.println("PNG pixels differing: " + differing + " of 4096");
        assertTrue(differing <= 10, "PNG matches except rounding ties: " + differing + " pixels differ");
    }

    @Test
    void theSizeConditionsReachTheUNet() {
        GenerationSettings s = referenceSettings(ref);
        float[] base = pipe.sample(List.of(s.prompt()), s, s.initialLatents(), StepListener.NONE, 1);
        GenerationSettings cropped = s.withSdxl(new SdxlConditions(null, null, new int[] {128, 128},
                new int[] {16, 0}, null));
        float[] other = pipe.sample(List.of(s.prompt()), cropped, s.initialLatents(), StepListener.NONE, 1);
        double d = Fixtures.maxAbsDiff(base, other);
        assertTrue(d > 1e-4, "other time ids changed the latents by only " + d);
    }

    @Test
    void componentsThatDoNotBelongTogetherAreRefusedBeforeAnyWeightIsRead(@TempDir Path tmp) throws IOException {
        Path model = tmp.resolve("xl");
        Fixtures.copyTree(Fixtures.TINY_SDXL, model);
        Path unetConfig = model.resolve("unet/config.json");
        JsonObject o = JsonParser.parseString(Files.readString(unetConfig)).getAsJsonObject();
        o.addProperty("projection_class_embeddings_input_dim", 100);
        Files.writeString(unetConfig, o.toString());
        WeightFormatException wide = assertThrows(WeightFormatException.class,
                () -> StableDiffusionPipeline.check(DiffusersFolder.open(model), null, 64, 64, 2, 1));
        assertTrue(wide.getMessage().contains("text_encoder_2 projection_dim 64 does not match unet"
                + " projection_class_embeddings_input_dim 100"), wide.getMessage());

        Path noSecond = tmp.resolve("no-second");
        Fixtures.copyTree(Fixtures.TINY_SDXL, noSecond);
        Path index = noSecond.resolve("model_index.json");
        JsonObject i = JsonParser.parseString(Files.readString(index)).getAsJsonObject();
        i.remove("text_encoder_2");
        Files.writeString(index, i.toString());
        assertTrue(DiffusersFolder.open(noSecond).isSdxl(), "StableDiffusionXLPipeline names an SDXL model");
        WeightFormatException missing = assertThrows(WeightFormatException.class,
                () -> StableDiffusionPipeline.check(DiffusersFolder.open(noSecond), null, 64, 64, 2, 1));
        assertTrue(missing.getMessage().contains("text_encoder_2"), missing.getMessage());
    }

    @Test
    void sdxlConditionsAreRefusedOnAnSd1Model() {
        try (StableDiffusionPipeline sd = StableDiffusionPipeline.load(DiffusersFolder.open(Fixtures.TINY_SD))) {
            GenerationSettings s = GenerationSettings.of("a cat", 64, 64)
                    .withSdxl(new SdxlConditions("a dog", null, null, null, null));
            InputException e = assertThrows(InputException.class, () -> sd.generate(s, StepListener.NONE));
            assertTrue(e.getMessage().contains("only to SDXL"), e.getMessage());
        }
    }
}
