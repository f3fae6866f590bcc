package dev.conceptprune.model.ldm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.model.Component;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * An SDXL base layout on a made-up tensor set whose widths follow SDXL's conventions (64-wide
 * heads), so that every config comes from the file alone: heads per block, the added-condition
 * widths, both encoders (the second with every block and a non-square projection, which shows
 * the transpose in the shapes).
 */
class SdxlConventionsTest {
    private static final int TIME_CHANNELS = 16;
    private static final int PROJECTION = 96;

    private final TensorShapes shapes = new TensorShapes(new SyntheticCheckpoint()
            .unet(new int[] {64, 128, 128}, 2, new boolean[] {false, true, true}, true)
            .sdxl(64, 128, 2, PROJECTION, TIME_CHANNELS));
    private final LdmLayout layout = LdmLayout.infer(shapes);
    private final LdmConverter converter = new LdmConverter(layout);
    private final LdmMapping mapping = converter.convert(shapes, WeightSet.NON_EMA);
    private final LdmConfigs configs = LdmConfigs.infer(layout, null);

    @Test
    void unetConfigFromTheWeightsAndSdxlsHeads() {
        JsonObject u = configs.unet();
        assertEquals(JsonParser.parseString("[1,2,2]"), u.get("attention_head_dim"), "64-wide heads");
        assertEquals(64 + 128, u.get("cross_attention_dim").getAsInt());
        assertEquals("text_time", u.get("addition_embed_type").getAsString());
        assertEquals(TIME_CHANNELS, u.get("addition_time_embed_dim").getAsInt());
        assertEquals(PROJECTION + 6 * TIME_CHANNELS, u.get("projection_class_embeddings_input_dim").getAsInt());
        assertEquals(JsonParser.parseString("[\"DownBlock2D\",\"CrossAttnDownBlock2D\",\"CrossAttnDownBlock2D\"]"),
                u.get("down_block_types"));
        assertEquals(1024, configs.vae().get("sample_size").getAsInt(), "SDXL's image size");
        assertEquals(1024 / (1 << (layout.vae().blocks() - 1)), u.get("sample_size").getAsInt());
        assertEquals(false, u.get("upcast_attention").getAsBoolean());
        assertEquals("epsilon", configs.predictionType());
    }

    @Test
    void textEncoderConfigsOfBothTowers() {
        JsonObject one = configs.of(Component.TEXT_ENCODER);
        assertEquals("CLIPTextModel", one.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals("quick_gelu", one.get("hidden_act").getAsString());
        assertEquals(1, one.get("num_attention_heads").getAsInt());
        JsonObject two = configs.of(Component.TEXT_ENCODER_2);
        assertEquals("CLIPTextModelWithProjection", two.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals("gelu", two.get("hidden_act").getAsString());
        assertEquals(2, two.get("num_attention_heads").getAsInt());
        assertEquals(2, two.get("num_hidden_layers").getAsInt(), "every stored block");
        assertEquals(PROJECTION, two.get("projection_dim").getAsInt());
    }

    @Test
    void projectionIsTransposedAndOnlyConstantsAreLeftUnused() {
        TensorMapping p = mapping.component(Component.TEXT_ENCODER_2).forDiffusers("text_projection.weight")
                .orElseThrow();
        assertArrayEquals(new long[] {PROJECTION, 128}, p.shape());
        assertArrayEquals(new long[] {128, PROJECTION}, p.storedShape());
        assertEquals(List.of(), mapping.unexplained());
        Map<String, String> unused = mapping.unused().stream()
                .collect(Collectors.toMap(UnusedTensor::storedName, UnusedTensor::reason));
        assertEquals(Map.of(
                "conditioner.embedders.0.transformer.text_model.embeddings.position_ids",
                "position ids (a constant, not a weight)",
                "conditioner.embedders.1.model.logit_scale", "CLIP logit scale (training only)"), unused);
        for (Component c : layout.family().components()) {
            for (TensorMapping m : mapping.component(c).tensors()) {
                assertEquals(m, converter.toStored(c, m.diffusersName(), m.shape()).orElseThrow(), m.toString());
            }
        }
        assertTrue(mapping.component(Component.UNET).forDiffusers("add_embedding.linear_1.weight").isPresent());
    }
}
