package dev.conceptprune.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.InputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What completes a single file: an original LDM config, a config folder, the prediction type, EMA. */
class SingleFileOptionsTest {
    private static final Path SINGLE = Fixtures.ROOT.resolve("tiny-sd1-single");
    private static final Path FILE = SINGLE.resolve("tiny-sd1c.safetensors");
    private static final Path CONFIGS = Path.of("src/test/resources/ldm-configs");

    private static SingleFileSource open(Path config, Path yaml, String prediction, boolean ema) {
        return SingleFileSource.open(FILE, new SingleFileOptions(config, yaml, prediction, ema));
    }

    @Test
    void originalConfigSetsPredictionScaleHeadsAndSize() {
        SingleFileSource s = open(null, CONFIGS.resolve("tiny-v.yaml"), null, false);
        Config unet = s.config(Component.UNET);
        assertArrayEquals(new int[] {2, 4, 4, 4}, unet.getIntArray("attention_head_dim"), "block width / 16");
        assertEquals(16, unet.getInt("sample_size"));
        assertEquals(128, s.imageSize());
        assertEquals(0.13025, s.config(Component.VAE).getDouble("scaling_factor"));
        assertEquals("v_prediction", s.predictionType());
        assertEquals("DDIMScheduler", s.config(Component.SCHEDULER).getString("_class_name"));
    }

    @Test
    void explicitPredictionTypeWinsOverTheOriginalConfig() {
        assertEquals("epsilon", open(null, CONFIGS.resolve("tiny-v.yaml"), "epsilon", false).predictionType());
        assertEquals("v_prediction", open(null, null, "v_prediction", false).predictionType());
        assertEquals("epsilon", open(null, null, null, false).predictionType(), "SD 1.x default");
    }

    @Test
    void anOriginalConfigThatContradictsTheWeightsIsRefused() {
        InputException e = assertThrows(InputException.class,
                () -> open(null, CONFIGS.resolve("other-model.yaml"), null, false));
        assertTrue(e.getMessage().contains("context_dim 768") && e.getMessage().contains("cross-attention width 64"),
                e.getMessage());
        InputException notYaml = assertThrows(InputException.class, () -> open(null, SINGLE.resolve("facts.json"),
                null, false));
        assertTrue(notYaml.getMessage().contains("facts.json"), notYaml.getMessage());
    }

    @Test
    void configFolderReplacesInferredConfigsAndTokenizer() {
        Path folder = SINGLE.resolve("diffusers");
        SingleFileSource s = open(folder, null, null, false);
        assertEquals(128, s.imageSize(), "the folder's sample_size 16 instead of SD 1.x's 512 px");
        assertEquals(DiffusersFolder.open(folder).config(Component.UNET).json(), s.config(Component.UNET).json());
        assertEquals(folder.resolve("tokenizer/vocab.json"), s.fileLocation(Component.TOKENIZER, "vocab.json"));
    }

    @Test
    void emaOnAFileWithoutEmaWeightsAndOptionsOnAFolderAreRefused() {
        InputException ema = assertThrows(InputException.class, () -> open(null, null, null, true));
        assertTrue(ema.getMessage().contains("no EMA weights"), ema.getMessage());
        InputException folder = assertThrows(InputException.class, () -> ModelSource.open(SINGLE.resolve("diffusers"),
                new SingleFileOptions(null, null, "epsilon", false)));
        assertTrue(folder.getMessage().contains("single-file checkpoints only"), folder.getMessage());
    }
}
