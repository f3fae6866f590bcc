package dev.conceptprune.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.conceptprune.io.Config;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.io.WeightFormatException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ClipConfigTest {
    private static final Path CONFIG = ClipFixture.DIR.resolve("config.json");
    private static final Path PREPROCESSOR = ClipFixture.DIR.resolve("preprocessor_config.json");

    private static Config edited(Path file, Consumer<JsonObject> edit) {
        JsonObject o = Config.read(file).json().deepCopy();
        edit.accept(o);
        return new Config(file, o);
    }

    private static WeightFormatException rejected(Consumer<JsonObject> edit) {
        Config c = edited(CONFIG, edit);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> ClipConfig.from(c));
        System.out.println(e.getMessage());
        return e;
    }

    @Test
    void readsTheTinyConfig() {
        ClipConfig c = ClipConfig.read(CONFIG);
        assertEquals(16, c.projectionDim());
        assertEquals(16, c.text().projectionDim());
        assertEquals(49407, c.text().eosTokenId());
        assertFalse(c.text().poolsAtLargestId());
        assertEquals(32, c.vision().imageSize());
        assertEquals(8, c.vision().patchSize());
        assertEquals(17, c.vision().positions());
        assertEquals(32, c.text().hidden());
    }

    @Test
    void missingVisionKeyIsNamed() {
        WeightFormatException e = rejected(o -> o.getAsJsonObject("vision_config").remove("image_size"));
        assertTrue(e.getMessage().contains("vision_config") && e.getMessage().contains("'image_size'"), e.getMessage());
    }

    @Test
    void missingVisionSectionIsNamed() {
        WeightFormatException e = rejected(o -> o.remove("vision_config"));
        assertTrue(e.getMessage().contains("'vision_config'"), e.getMessage());
    }

    @Test
    void patchSizeThatDoesNotDivideImageSizeIsRejected() {
        WeightFormatException e = rejected(o -> o.getAsJsonObject("vision_config").addProperty("patch_size", 7));
        assertTrue(e.getMessage().contains("patch_size") && e.getMessage().contains("image_size"), e.getMessage());
    }

    @Test
    void unsupportedVisionActivationIsRejected() {
        WeightFormatException e = rejected(o -> o.getAsJsonObject("vision_config").addProperty("hidden_act", "relu"));
        assertTrue(e.getMessage().contains("hidden_act"), e.getMessage());
    }

    @Test
    void textSectionErrorsNameTheSection() {
        WeightFormatException e = rejected(o -> o.getAsJsonObject("text_config").remove("vocab_size"));
        assertTrue(e.getMessage().contains("text_config") && e.getMessage().contains("'vocab_size'"), e.getMessage());
    }

    @Test
    void legacyEosIdPoolsAtTheLargestId() {
        Config c = edited(CONFIG, o -> o.getAsJsonObject("text_config").addProperty("eos_token_id", 2));
        assertTrue(ClipConfig.from(c).text().poolsAtLargestId());
    }

    @Test
    void wrongProjectionShapeNamesTheTensor() {
        ClipConfig cfg = ClipConfig.from(edited(CONFIG, o -> o.addProperty("projection_dim", 8)));
        try (TensorStore store = TensorStore.open(ClipFixture.DIR.resolve("model.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> ClipModel.load(cfg, store, m));
            assertTrue(e.getMessage().contains("text_projection.weight"), e.getMessage());
        }
    }

    @Test
    void unsupportedResampleIsRejected() {
        Config c = edited(PREPROCESSOR, o -> o.addProperty("resample", 2));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> ClipImageProcessor.from(c));
        assertTrue(e.getMessage().contains("'resample'"), e.getMessage());
    }

    @Test
    void malformedCropSizeIsRejected() {
        Config c = edited(PREPROCESSOR, o -> o.add("crop_size", new JsonObject()));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> ClipImageProcessor.from(c));
        assertTrue(e.getMessage().contains("'crop_size'"), e.getMessage());
    }
}
