package dev.conceptprune.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Config;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.io.WeightFormatException;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class VaeConfigTest {
    private static final Path DIR = Fixtures.TINY_SD.resolve("vae");
    private static final Path WEIGHTS = DIR.resolve("diffusion_pytorch_model.safetensors");

    private static Config edited(Consumer<JsonObject> edit) {
        JsonObject o = Config.read(DIR.resolve("config.json")).json().deepCopy();
        edit.accept(o);
        return new Config(DIR.resolve("config.json"), o);
    }

    private static WeightFormatException loadFails(Config config) {
        VaeConfig cfg = VaeConfig.from(config);
        try (TensorStore store = TensorStore.open(WEIGHTS); NDManager m = NDManager.newBaseManager()) {
            return assertThrows(WeightFormatException.class, () -> AutoencoderKL.load(cfg, store, Runtime.cpu(), m));
        }
    }

    @Test
    void readsTheTinyConfig() {
        VaeConfig c = VaeConfig.from(Config.read(DIR.resolve("config.json")));
        assertEquals(4, c.latentChannels());
        assertEquals(32, c.normGroups());
        assertEquals(0.18215, c.scalingFactor());
        assertNull(c.shiftFactor());
        assertTrue(c.useQuantConv() && c.usePostQuantConv() && c.midBlockAttention());
        assertEquals(8, c.scaleFactor());
    }

    @Test
    void unknownUpBlockTypeIsRejected() {
        Config c = edited(o -> {
            JsonArray up = o.getAsJsonArray("up_block_types");
            up.set(2, new JsonPrimitive("AttnUpDecoderBlock2D"));
        });
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> VaeConfig.from(c));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("up_block_types") && e.getMessage().contains("AttnUpDecoderBlock2D"));
    }

    @Test
    void groupsThatDoNotDivideChannelsAreRejected() {
        Config c = edited(o -> o.addProperty("norm_num_groups", 24));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> VaeConfig.from(c));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("norm_num_groups"));
    }

    @Test
    void weightShapeMismatchNamesTheTensor() {
        WeightFormatException e = loadFails(edited(o -> o.addProperty("latent_channels", 3)));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("'encoder.conv_out.weight'"), e.getMessage());
    }

    @Test
    void tensorsTheConfigDoesNotExplainAreListed() {
        WeightFormatException e = loadFails(edited(o -> o.addProperty("mid_block_add_attention", false)));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("decoder.mid_block.attentions.0.to_q.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("encoder.mid_block.attentions.0.group_norm.bias"), e.getMessage());
    }

    @Test
    void shiftFactorIsOptionalNumber() {
        assertEquals(0.0609, VaeConfig.from(edited(o -> o.addProperty("shift_factor", 0.0609))).shiftFactor());
        WeightFormatException e = assertThrows(WeightFormatException.class,
                () -> VaeConfig.from(edited(o -> o.addProperty("shift_factor", "x"))));
        assertTrue(e.getMessage().contains("shift_factor"));
    }
}
