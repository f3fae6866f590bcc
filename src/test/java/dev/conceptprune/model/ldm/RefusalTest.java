package dev.conceptprune.model.ldm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files that are not SD 1.x/2.x or SDXL base text-to-image checkpoints are refused, saying what
 * they were recognised as.
 */
class RefusalTest {

    private static String refusal(Map<String, long[]> shapes) {
        InputException e = assertThrows(UnsupportedCheckpointException.class,
                () -> LdmLayout.infer(new TensorShapes(shapes)));
        return e.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' not in: " + message);
        }
    }

    @Test
    void inpaintingHasNineInputChannels() {
        assertMentions(refusal(new SyntheticCheckpoint().inChannels(9).sd1(64, 2)),
                "recognised an SD 1.x inpainting checkpoint", "9 UNet input channels", "SD 1.x, SD 2.x and SDXL base");
        assertMentions(refusal(new SyntheticCheckpoint().inChannels(9).sd2(64, 2)), "SD 2.x inpainting");
        assertMentions(refusal(new SyntheticCheckpoint().inChannels(7).sd1(64, 2)), "7 input channels");
    }

    @Test
    void sdxlRefinersAndSdxlLookalikes() {
        Map<String, long[]> refiner = new LinkedHashMap<>();
        refiner.put("conditioner.embedders.0.model.text_projection", new long[] {1280, 1280});
        refiner.put("model.diffusion_model.input_blocks.0.0.weight", new long[] {384, 4, 3, 3});
        assertMentions(refusal(refiner), "recognised an SDXL refiner checkpoint", "conditioner.embedders.0.model.",
                "is OpenCLIP");

        Map<String, long[]> oneEncoder = new LinkedHashMap<>(new SyntheticCheckpoint().sd1(64, 2));
        oneEncoder.put("conditioner.embedders.0.transformer.text_model.embeddings.position_embedding.weight",
                new long[] {77, 768});
        assertMentions(refusal(oneEncoder), "SDXL-style checkpoint", "conditioner.embedders.1.model.");

        Map<String, long[]> noAddedConditions = new LinkedHashMap<>(oneEncoder);
        noAddedConditions.put("conditioner.embedders.1.model.transformer.resblocks.9.mlp.c_proj.bias",
                new long[] {1280});
        assertMentions(refusal(noAddedConditions), "no added-condition embedding", "label_emb.0.0");

        Map<String, long[]> labels = new LinkedHashMap<>(new SyntheticCheckpoint().sd1(64, 2));
        labels.put("model.diffusion_model.label_emb.0.0.weight", new long[] {1280, 2816});
        assertMentions(refusal(labels), "class-conditioned UNet", "label_emb");
    }

    @Test
    void unknownFiles() {
        assertMentions(refusal(Map.of("foo.weight", new long[] {1}, "foo.bias", new long[] {1},
                "bar", new long[] {2})), "unknown model", "foo. (2)", "bar (1)");
        assertMentions(refusal(Map.of("down_blocks.0.resnets.0.conv1.weight", new long[] {4, 4, 3, 3})),
                "diffusers component file");
        assertMentions(refusal(Map.of("control_model.time_embed.0.weight", new long[] {4, 4})), "ControlNet");

        Map<String, long[]> noText = new LinkedHashMap<>(new SyntheticCheckpoint().sd1(64, 2));
        noText.keySet().removeIf(n -> n.startsWith("cond_stage_model."));
        assertMentions(refusal(noText), "without a known text encoder", "cond_stage_model.model.");

        Map<String, long[]> noVae = new LinkedHashMap<>(new SyntheticCheckpoint().sd1(64, 2));
        noVae.keySet().removeIf(n -> n.startsWith("first_stage_model."));
        assertMentions(refusal(noVae), "without a VAE");
    }
}
