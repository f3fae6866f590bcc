package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.model.SingleFileSource;
import dev.conceptprune.model.TensorSource;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Masks applied to the tiny SDXL single file land on the right stored elements: a UNet
 * feed-forward, an MLP of each text encoder, and, to exercise the index arithmetic, a slice of
 * encoder 2's fused q;k;v and its transposed text projection. Read back under diffusers names, the
 * edited file differs from the input exactly in the masked elements.
 */
class SdxlSingleFileWriterTest {
    private static final Path FOLDER = Fixtures.ROOT.resolve("tiny-sdxl");
    private static final Path FILE = FOLDER.resolve("single_file/tiny-xl.safetensors");
    private static final SingleFileOptions CONFIGS = new SingleFileOptions(FOLDER, null, null, false);
    /** Mask name (component prefix for the text encoders) -> zeroed flat indices. */
    private static final Map<String, int[]> EDITS = Map.of(
            "up_blocks.0.attentions.2.transformer_blocks.1.ff.net.2.weight", new int[] {0, 7, 300, 16383},
            "text_encoder/text_model.encoder.layers.2.mlp.fc2.weight", new int[] {1, 129},
            "text_encoder_2/text_model.encoder.layers.1.mlp.fc2.weight", new int[] {3, 4, 16000},
            "text_encoder_2/text_model.encoder.layers.0.self_attn.k_proj.weight", new int[] {0, 65, 4095},
            "text_encoder_2/text_projection.weight", new int[] {1, 200, 4094});

    @Test
    void editedFileDiffersOnlyInTheMaskedElements(@TempDir Path tmp) {
        SingleFileSource base = SingleFileSource.open(FILE, CONFIGS);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String name : EDITS.keySet()) {
            Component c = component(name);
            try (TensorSource t = base.tensors(c)) {
                shapes.put(name, t.info(parameter(name)).shape());
            }
        }
        Path out = tmp.resolve("tiny-xl.safetensors");
        SingleFileWriter.export(base, WeightEdits.of(base, new PruneMask(EDITS, shapes, Map.of())), out, false);
        SingleFileSource edited = SingleFileSource.open(out, CONFIGS);
        int zeroed = 0;
        for (Component c : List.of(Component.UNET, Component.VAE, Component.TEXT_ENCODER, Component.TEXT_ENCODER_2)) {
            try (TensorSource before = base.tensors(c); TensorSource after = edited.tensors(c)) {
                assertEquals(before.names(), after.names());
                for (String n : before.names()) {
                    float[] a = before.readFloats(n);
                    float[] b = after.readFloats(n);
                    Set<Integer> masked = masked(c, n);
                    for (int i = 0; i < a.length; i++) {
                        if (masked.contains(i)) {
                            assertTrue(a[i] != 0, "fixture weights are never 0, so the edit shows: " + n + " " + i);
                            assertEquals(0f, b[i], n + " " + i);
                            zeroed++;
                        } else {
                            assertEquals(a[i], b[i], n + " " + i);
                        }
                    }
                }
            }
        }
        assertEquals(EDITS.values().stream().mapToInt(v -> v.length).sum(), zeroed);
        try (SafetensorsFile in = SafetensorsFile.open(FILE); SafetensorsFile got = SafetensorsFile.open(out)) {
            assertEquals(in.metadata(), got.metadata(), "copied byte for byte, header and all");
        }
    }

    private static Set<Integer> masked(Component c, String parameter) {
        Set<Integer> out = new HashSet<>();
        EDITS.forEach((name, idx) -> {
            if (component(name) == c && parameter(name).equals(parameter)) {
                for (int i : idx) {
                    out.add(i);
                }
            }
        });
        return out;
    }

    private static Component component(String maskName) {
        return maskName.startsWith("text_encoder_2/") ? Component.TEXT_ENCODER_2
                : maskName.startsWith("text_encoder/") ? Component.TEXT_ENCODER : Component.UNET;
    }

    private static String parameter(String maskName) {
        return maskName.contains("/") ? maskName.substring(maskName.indexOf('/') + 1) : maskName;
    }
}
