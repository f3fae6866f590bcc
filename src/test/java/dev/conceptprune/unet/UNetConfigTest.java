package dev.conceptprune.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.DType;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.io.WeightFormatException;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNetConfigTest {
    private static final Path CONFIG = Fixtures.TINY_SD.resolve("unet/config.json");
    private static final Path WEIGHTS = Fixtures.TINY_SD.resolve("unet/diffusion_pytorch_model.safetensors");

    private static Config edited(Consumer<JsonObject> edit) {
        JsonObject o = Config.read(CONFIG).json().deepCopy();
        edit.accept(o);
        return new Config(CONFIG, o);
    }

    private static String rejected(Consumer<JsonObject> edit) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> UNetConfig.from(edited(edit)));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith(CONFIG.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
        return e.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + message + "' should mention " + p);
        }
    }

    @Test
    void readsTheTinyConfig() {
        UNetConfig c = UNetConfig.from(Config.read(CONFIG));
        assertEquals(4, c.blocks());
        assertArrayEquals(new int[] {32, 64, 64, 64}, c.blockOutChannels());
        assertArrayEquals(new int[] {8, 8, 8, 8}, c.attentionHeads());
        assertArrayEquals(new int[] {2, 2, 2, 2}, c.layersPerBlock());
        assertArrayEquals(new int[] {1, 1, 1, 1}, c.transformerLayersPerBlock());
        assertEquals(128, c.timeEmbedDim());
        assertTrue(c.downHasAttention(0) && !c.downHasAttention(3) && !c.upHasAttention(0) && c.upHasAttention(3));
    }

    @Test
    void numAttentionHeadsWinsOverAttentionHeadDimAndMayBePerBlock() {
        UNetConfig c = UNetConfig.from(edited(o -> o.add("num_attention_heads",
                JsonParser.parseString("[1, 2, 4, 8]"))));
        assertArrayEquals(new int[] {1, 2, 4, 8}, c.attentionHeads());
    }

    @Test
    void unknownBlockTypesAreRejected() {
        assertMentions(rejected(o -> o.getAsJsonArray("down_block_types").set(1,
                JsonParser.parseString("\"AttnDownBlock2D\""))), "down_block_types", "AttnDownBlock2D");
        assertMentions(rejected(o -> o.getAsJsonArray("up_block_types").set(0,
                JsonParser.parseString("\"SimpleCrossAttnUpBlock2D\""))), "up_block_types", "SimpleCrossAttnUpBlock2D");
        assertMentions(rejected(o -> o.addProperty("mid_block_type", "UNetMidBlock2DSimpleCrossAttn")),
                "mid_block_type", "UNetMidBlock2DSimpleCrossAttn");
    }

    @Test
    void unsupportedFeaturesAreRejected() {
        assertMentions(rejected(o -> o.addProperty("class_embed_type", "timestep")), "class_embed_type", "timestep");
        assertMentions(rejected(o -> o.addProperty("addition_embed_type", "image")),
                "addition_embed_type", "image");
        assertMentions(rejected(o -> {
            o.addProperty("addition_embed_type", "text_time");
            o.addProperty("addition_time_embed_dim", 8);
            o.addProperty("projection_class_embeddings_input_dim", 48);
        }), "projection_class_embeddings_input_dim", "48");
        assertMentions(rejected(o -> o.addProperty("attention_type", "gated")), "attention_type", "gated");
        assertMentions(rejected(o -> o.addProperty("time_embedding_type", "fourier")), "time_embedding_type", "fourier");
        assertMentions(rejected(o -> o.addProperty("act_fn", "gelu")), "act_fn", "gelu");
        assertMentions(rejected(o -> o.addProperty("resnet_time_scale_shift", "scale_shift")),
                "resnet_time_scale_shift", "scale_shift");
        assertMentions(rejected(o -> o.addProperty("only_cross_attention", true)), "only_cross_attention");
        assertMentions(rejected(o -> o.addProperty("center_input_sample", true)), "center_input_sample");
    }

    @Test
    void inconsistentSizesAreRejected() {
        assertMentions(rejected(o -> o.addProperty("attention_head_dim", 5)), "attention_head_dim", "5",
                "block_out_channels[0] = 32");
        assertMentions(rejected(o -> o.add("num_attention_heads", JsonParser.parseString("[8, 8, 8, 7]"))),
                "num_attention_heads", "7");
        assertMentions(rejected(o -> o.addProperty("norm_num_groups", 24)), "norm_num_groups", "24");
        assertMentions(rejected(o -> o.add("layers_per_block", JsonParser.parseString("[2, 2]"))),
                "layers_per_block", "2 values for 4 blocks");
        assertMentions(rejected(o -> o.add("cross_attention_dim", JsonParser.parseString("[32, 32, 32]"))),
                "cross_attention_dim");
        assertMentions(rejected(o -> o.add("up_block_types", JsonParser.parseString("[\"UpBlock2D\"]"))),
                "up_block_types", "1 blocks");
        assertMentions(rejected(o -> o.remove("block_out_channels")), "block_out_channels");
    }

    @Test
    void weightShapeMismatchNamesTheTensor() {
        UNetConfig cfg = UNetConfig.from(edited(o -> o.add("block_out_channels",
                JsonParser.parseString("[32, 64, 64, 96]"))));
        try (TensorStore store = TensorStore.open(WEIGHTS); NDManager m = NDManager.newBaseManager()) {
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> UNet2DConditionModel.load(cfg, store, Runtime.cpu(), m));
            System.out.println(e.getMessage());
            assertMentions(e.getMessage(), "tensor 'down_blocks.3.resnets.0.conv1.weight'", "has shape",
                    "the config implies");
            assertEquals(0, m.getManagedArrays().size(), "weights loaded before the error are freed");
        }
    }

    @Test
    void tensorsTheConfigDoesNotExplainAreRejected(@TempDir Path dir) {
        Path file = dir.resolve("unet.safetensors");
        try (SafetensorsFile src = SafetensorsFile.open(WEIGHTS)) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (TensorInfo t : src.tensors().values()) {
                w.add(t.name(), t.dtype(), t.shape(), src.bytes(t.name()));
            }
            w.addFloats("down_blocks.0.attentions.0.transformer_blocks.1.norm1.weight", DType.F32, new long[] {32},
                    new float[32]);
            w.write(file);
        }
        UNetConfig cfg = UNetConfig.from(Config.read(CONFIG));
        try (TensorStore store = TensorStore.open(file); NDManager m = NDManager.newBaseManager()) {
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> UNet2DConditionModel.load(cfg, store, Runtime.cpu(), m));
            System.out.println(e.getMessage());
            assertMentions(e.getMessage(), "1 tensors are not explained by the config",
                    "down_blocks.0.attentions.0.transformer_blocks.1.norm1.weight");
        }
    }

    @Test
    void transformerLayersPerBlockMayBeAList() {
        UNetConfig c = UNetConfig.from(edited(o -> {
            JsonArray a = JsonParser.parseString("[1, 2, 1, 1]").getAsJsonArray();
            o.add("transformer_layers_per_block", a);
        }));
        assertArrayEquals(new int[] {1, 2, 1, 1}, c.transformerLayersPerBlock());
    }
}
