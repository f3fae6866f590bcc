package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Full training checkpoints: EMA copies of the UNet under flat {@code model_ema.} names. */
class EmaWeightsTest {

    private static Map<String, long[]> withEma() {
        Map<String, long[]> plain = new SyntheticCheckpoint().sd1(64, 2);
        Map<String, long[]> all = new LinkedHashMap<>(plain);
        plain.forEach((name, shape) -> {
            if (name.startsWith(SyntheticCheckpoint.UNET)) {
                all.put(WeightSet.emaName(name), shape);
            }
        });
        all.put("model_ema.decay", new long[0]);
        all.put("model_ema.num_updates", new long[0]);
        all.put("alphas_cumprod", new long[] {1000});
        return all;
    }

    @Test
    void emaNamesDropTheDots() {
        assertEquals("model_ema.diffusion_modelinput_blocks00weight",
                WeightSet.emaName("model.diffusion_model.input_blocks.0.0.weight"));
        assertEquals("model_ema.diffusion_modeloutput_blocks111transformer_blocks0attn2to_kweight",
                WeightSet.emaName("model.diffusion_model.output_blocks.11.1.transformer_blocks.0.attn2.to_k.weight"));
    }

    @Test
    void nonEmaWeightsByDefaultEmaOnRequest() {
        TensorShapes shapes = new TensorShapes(withEma());
        LdmConverter converter = new LdmConverter(LdmLayout.infer(shapes));

        LdmMapping plain = converter.convert(shapes, WeightSet.NON_EMA);
        assertTrue(plain.hasEma());
        TensorMapping conv = plain.component(Component.UNET).forDiffusers("conv_in.weight").orElseThrow();
        assertEquals("model.diffusion_model.input_blocks.0.0.weight", conv.storedName());
        assertEquals(List.of(), plain.unexplained());
        Map<String, String> reasons = reasons(plain);
        assertEquals("EMA weights (not selected)", reasons.get("model_ema.diffusion_modelinput_blocks00weight"));
        assertEquals("EMA bookkeeping", reasons.get("model_ema.decay"));
        assertTrue(reasons.get("alphas_cumprod").contains("noise schedule"));

        LdmMapping ema = converter.convert(shapes, WeightSet.EMA);
        ComponentMapping unet = ema.component(Component.UNET);
        assertEquals(plain.component(Component.UNET).diffusersNames(), unet.diffusersNames());
        assertEquals("model_ema.diffusion_modelinput_blocks00weight",
                unet.forDiffusers("conv_in.weight").orElseThrow().storedName());
        assertTrue(unet.storedNames().stream().allMatch(n -> n.startsWith("model_ema.")));
        assertEquals(List.of(), ema.unexplained());
        assertTrue(reasons(ema).get("model.diffusion_model.input_blocks.0.0.weight").startsWith("non-EMA"));
        assertEquals(plain.component(Component.VAE).tensors(), ema.component(Component.VAE).tensors());
    }

    @Test
    void emaRequestedButAbsentIsRefused() {
        TensorShapes shapes = new TensorShapes(new SyntheticCheckpoint().sd1(64, 2));
        LdmConverter converter = new LdmConverter(LdmLayout.infer(shapes));
        assertFalse(converter.convert(shapes, WeightSet.NON_EMA).hasEma());
        var e = assertThrows(UnsupportedCheckpointException.class, () -> converter.convert(shapes, WeightSet.EMA));
        assertTrue(e.getMessage().contains("no EMA weights"), e.getMessage());
    }

    @Test
    void positionIdsAreExplainedAndStrangersAreNot() {
        Map<String, long[]> m = new LinkedHashMap<>(new SyntheticCheckpoint().sd1(64, 2));
        m.put("model.diffusion_model.input_blocks.1.0.extra.weight", new long[] {3});
        m.put("something_else", new long[] {1});
        TensorShapes shapes = new TensorShapes(m);
        LdmMapping mapping = new LdmConverter(LdmLayout.infer(shapes)).convert(shapes, WeightSet.NON_EMA);
        assertEquals(List.of("model.diffusion_model.input_blocks.1.0.extra.weight", "something_else"),
                mapping.unexplained().stream().map(UnusedTensor::storedName).toList());
        assertTrue(reasons(mapping).get("cond_stage_model.transformer.text_model.embeddings.position_ids")
                .startsWith("position ids"));
    }

    private static Map<String, String> reasons(LdmMapping m) {
        return m.unused().stream().collect(Collectors.toMap(UnusedTensor::storedName, UnusedTensor::reason));
    }
}
