package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.conceptprune.scheduler.DdimScheduler;
import dev.conceptprune.scheduler.PndmScheduler;
import dev.conceptprune.scheduler.Schedulers;
import dev.conceptprune.clip.ClipTextConfig;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.io.Config;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * An SD 2.x layout on a made-up tensor set: OpenCLIP's fused q;k;v as element ranges, the
 * penultimate block as the last layer, and a UNet with one layer per block and three blocks.
 */
class OpenClipLayoutTest {
    private static final int HIDDEN = 64;
    private static final int BLOCKS = 3;
    private static final String TEXT = "cond_stage_model.model.";

    private final TensorShapes shapes = new TensorShapes(new SyntheticCheckpoint()
            .unet(new int[] {64, 128, 128}, 1, new boolean[] {true, true, false}, true).sd2(HIDDEN, BLOCKS));
    private final LdmLayout layout = LdmLayout.infer(shapes);
    private final LdmConverter converter = new LdmConverter(layout);
    private final LdmMapping mapping = converter.convert(shapes, WeightSet.NON_EMA);

    @Test
    void textEncoderHasTheHuggingFaceNamesOfAllButTheLastBlock() {
        assertEquals(LdmFamily.SD2, layout.family());
        assertEquals(BLOCKS, layout.text().storedBlocks());
        assertEquals(BLOCKS - 1, layout.text().layers());
        Set<String> expected = new HashSet<>(List.of("text_model.embeddings.token_embedding.weight",
                "text_model.embeddings.position_embedding.weight", "text_model.final_layer_norm.weight",
                "text_model.final_layer_norm.bias"));
        for (int k = 0; k < BLOCKS - 1; k++) {
            for (String m : List.of("layer_norm1", "layer_norm2", "mlp.fc1", "mlp.fc2", "self_attn.q_proj",
                    "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj")) {
                expected.add("text_model.encoder.layers." + k + "." + m + ".weight");
                expected.add("text_model.encoder.layers." + k + "." + m + ".bias");
            }
        }
        ComponentMapping text = mapping.component(Component.TEXT_ENCODER);
        assertEquals(expected, text.diffusersNames());
        assertEquals(TEXT + "transformer.resblocks.1.mlp.c_proj.weight",
                text.forDiffusers("text_model.encoder.layers.1.mlp.fc2.weight").orElseThrow().storedName());
        assertEquals(TEXT + "positional_embedding",
                text.forDiffusers("text_model.embeddings.position_embedding.weight").orElseThrow().storedName());
    }

    @Test
    void fusedProjectionsAreContiguousThirds() {
        ComponentMapping text = mapping.component(Component.TEXT_ENCODER);
        String weight = TEXT + "transformer.resblocks.1.attn.in_proj_weight";
        String bias = TEXT + "transformer.resblocks.1.attn.in_proj_bias";
        List<String> parts = List.of("q", "k", "v");
        for (int i = 0; i < 3; i++) {
            String layer = "text_model.encoder.layers.1.self_attn." + parts.get(i) + "_proj.";
            TensorMapping w = text.forDiffusers(layer + "weight").orElseThrow();
            assertEquals(weight, w.storedName());
            assertArrayEquals(new long[] {HIDDEN, HIDDEN}, w.shape());
            assertArrayEquals(new long[] {3 * HIDDEN, HIDDEN}, w.storedShape());
            assertEquals((long) i * HIDDEN * HIDDEN, w.elementOffset());
            assertEquals((long) HIDDEN * HIDDEN, w.elementCount());
            assertTrue(w.isSlice());
            TensorMapping b = text.forDiffusers(layer + "bias").orElseThrow();
            assertEquals(bias, b.storedName());
            assertEquals((long) i * HIDDEN, b.elementOffset());
            assertEquals(HIDDEN, b.elementCount());
            assertEquals(w, converter.toStored(Component.TEXT_ENCODER, w.diffusersName(), w.shape()).orElseThrow());
        }
        String attn = "text_model.encoder.layers.1.self_attn.";
        assertEquals(List.of(attn + "q_proj.weight", attn + "k_proj.weight", attn + "v_proj.weight"),
                text.forStored(weight).stream().map(TensorMapping::diffusersName).toList());
    }

    @Test
    void lastBlockAndProjectionAreReportedUnused() {
        Map<String, String> unused = mapping.unused().stream()
                .collect(Collectors.toMap(UnusedTensor::storedName, UnusedTensor::reason));
        Set<String> lastBlock = shapes.names().stream()
                .filter(n -> n.startsWith(TEXT + "transformer.resblocks." + (BLOCKS - 1) + ".")).collect(Collectors.toSet());
        assertEquals(12, lastBlock.size());
        Set<String> expected = new HashSet<>(lastBlock);
        expected.add(TEXT + "text_projection");
        expected.add(TEXT + "logit_scale");
        assertEquals(expected, unused.keySet());
        lastBlock.forEach(n -> assertTrue(unused.get(n).contains("penultimate"), n));
        assertEquals(List.of(), mapping.unexplained());
        int mappedStored = 0;
        for (Component c : layout.family().components()) {
            mappedStored += mapping.component(c).storedNames().size();
        }
        assertEquals(shapes.names().size(), mappedStored + unused.size());
    }

    @Test
    void unetIndexArithmeticWithOneLayerPerBlock() {
        ComponentMapping u = mapping.component(Component.UNET);
        Map<String, String> expected = Map.of(
                "down_blocks.0.downsamplers.0.conv.weight", "input_blocks.2.0.op.weight",
                "down_blocks.1.attentions.0.proj_in.weight", "input_blocks.3.1.proj_in.weight",
                "down_blocks.1.downsamplers.0.conv.bias", "input_blocks.4.0.op.bias",
                "down_blocks.2.resnets.0.conv1.weight", "input_blocks.5.0.in_layers.2.weight",
                "up_blocks.0.resnets.1.norm1.weight", "output_blocks.1.0.in_layers.0.weight",
                "up_blocks.0.upsamplers.0.conv.weight", "output_blocks.1.1.conv.weight",
                "up_blocks.1.attentions.1.norm.bias", "output_blocks.3.1.norm.bias",
                "up_blocks.1.upsamplers.0.conv.weight", "output_blocks.3.2.conv.weight",
                "up_blocks.2.resnets.1.conv_shortcut.weight", "output_blocks.5.0.skip_connection.weight");
        expected.forEach((d, s) -> assertEquals(SyntheticCheckpoint.UNET + s, u.forDiffusers(d).orElseThrow().storedName(),
                d));
        for (Component c : layout.family().components()) {
            for (TensorMapping m : mapping.component(c).tensors()) {
                assertEquals(m, converter.toStored(c, m.diffusersName(), m.shape()).orElseThrow(), m.toString());
            }
        }
    }

    @Test
    void configsFollowSd2Conventions() {
        LdmConfigs configs = LdmConfigs.infer(layout, null);
        JsonObject unet = configs.unet();
        JsonArray heads = new JsonArray();
        heads.add(1);
        heads.add(2);
        heads.add(2);
        assertEquals(heads, unet.get("attention_head_dim"));
        assertTrue(unet.get("use_linear_projection").getAsBoolean());
        assertTrue(unet.get("upcast_attention").getAsBoolean());
        assertEquals(1, unet.get("layers_per_block").getAsInt());
        assertEquals(HIDDEN, unet.get("cross_attention_dim").getAsInt());
        // SD 2.1's 768 pixels over this two-block VAE's factor of 2
        assertEquals(384, unet.get("sample_size").getAsInt());
        Path here = Path.of("inferred");
        UNetConfig u = UNetConfig.from(new Config(here, unet));
        assertArrayEquals(new int[] {1, 2, 2}, u.attentionHeads());
        assertEquals(List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"), u.downBlockTypes());
        assertEquals(List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"), u.upBlockTypes());
        VaeConfig v = VaeConfig.from(new Config(here, configs.vae()));
        assertArrayEquals(new int[] {32, 64}, v.blockOutChannels());
        assertEquals(1, v.layersPerBlock());
        assertEquals(0.18215, v.scalingFactor());
        assertEquals(new ClipTextConfig(1000, HIDDEN, BLOCKS - 1, 1, 4 * HIDDEN, 77, 1e-5, "gelu", 2, HIDDEN),
                ClipTextConfig.from(new Config(here, configs.textEncoder())));
        assertEquals("v_prediction", configs.scheduler().get("prediction_type").getAsString());
        assertTrue(Schedulers.fromConfig(configs.scheduler(), null, here) instanceof DdimScheduler);
        assertEquals("DDIMScheduler", configs.modelIndex().getAsJsonArray("scheduler").get(1).getAsString());

        LdmConfigs base = LdmConfigs.infer(layout, "epsilon");
        assertEquals("epsilon", base.scheduler().get("prediction_type").getAsString());
        assertTrue(Schedulers.fromConfig(base.scheduler(), null, here) instanceof PndmScheduler);
    }
}
