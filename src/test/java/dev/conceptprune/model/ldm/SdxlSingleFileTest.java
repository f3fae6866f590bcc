package dev.conceptprune.model.ldm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.model.SingleFileSource;
import dev.conceptprune.model.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny SDXL single file (SGM layout, written by diffusers' conversion script) against the same
 * model as a diffusers folder: every tensor of all four components presented under diffusers
 * names bit for bit, OpenCLIP's fused q;k;v and transposed projection included, and the configs
 * inferred by SDXL's conventions.
 */
class SdxlSingleFileTest {
    private static final Path FOLDER = Fixtures.ROOT.resolve("tiny-sdxl");
    private static final Path FILE = FOLDER.resolve("single_file/tiny-xl.safetensors");
    private static final String TEXT2 = "conditioner.embedders.1.model.";
    private static final List<Component> PARTS = List.of(Component.UNET, Component.VAE, Component.TEXT_ENCODER,
            Component.TEXT_ENCODER_2);

    private static SingleFileSource withFolderConfigs() {
        return SingleFileSource.open(FILE, new SingleFileOptions(FOLDER, null, null, false));
    }

    private static TensorShapes shapes() {
        try (SafetensorsFile f = SafetensorsFile.open(FILE)) {
            Map<String, long[]> m = new LinkedHashMap<>();
            f.tensors().forEach((name, info) -> m.put(name, info.shape()));
            return new TensorShapes(m);
        }
    }

    @Test
    void detectsSdxlBaseAndExplainsEveryTensor() {
        TensorShapes s = shapes();
        LdmLayout layout = LdmLayout.infer(s);
        assertEquals(LdmFamily.SDXL, layout.family());
        assertEquals(PARTS, layout.family().components());
        LdmMapping mapping = new LdmConverter(layout).convert(s, WeightSet.NON_EMA);
        assertEquals(List.of(), mapping.unused());
        int stored = 0;
        for (Component c : PARTS) {
            stored += mapping.component(c).storedNames().size();
        }
        assertEquals(s.names().size(), stored);
        assertEquals(3, layout.text2().layers(), "SDXL's second encoder keeps every block");
        assertArrayEquals(new int[] {1, 2, 2}, layout.unet().transformerDepth());
    }

    @Test
    void sdxlInpaintingIsRefused() {
        Map<String, long[]> m = new LinkedHashMap<>();
        TensorShapes s = shapes();
        s.names().forEach(n -> m.put(n, s.shape(n)));
        m.put(LdmFamily.UNET_PREFIX + "input_blocks.0.0.weight", new long[] {32, 9, 3, 3});
        UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                () -> LdmLayout.infer(new TensorShapes(m)));
        assertTrue(e.getMessage().contains("recognised an SDXL inpainting checkpoint"), e.getMessage());
    }

    @Test
    void everyTensorUnderDiffusersNamesIsTheFolderTensorBitForBit() {
        SingleFileSource single = withFolderConfigs();
        DiffusersFolder folder = DiffusersFolder.open(FOLDER);
        for (Component c : PARTS) {
            assertTrue(single.has(c) && folder.has(c), c.folderName());
            try (TensorSource got = single.tensors(c); TensorSource want = folder.tensors(c)) {
                assertEquals(want.names(), got.names(), c.folderName() + " names");
                for (String n : want.names()) {
                    TensorInfo w = want.info(n);
                    TensorInfo g = got.info(n);
                    assertEquals(w.dtype(), g.dtype(), n);
                    assertArrayEquals(w.shape(), g.shape(), n);
                    assertEquals(want.bytes(n), got.bytes(n), c.folderName() + " " + n);
                }
            }
        }
    }

    @Test
    void textProjectionIsTheStoredMatrixTransposed() {
        TensorMapping p = withFolderConfigs().mapping().component(Component.TEXT_ENCODER_2)
                .forDiffusers("text_projection.weight").orElseThrow();
        assertEquals(TEXT2 + "text_projection", p.storedName());
        assertTrue(p.transposed());
        assertFalse(p.isSlice() || p.isReshaped());
        try (TensorSource got = withFolderConfigs().tensors(Component.TEXT_ENCODER_2);
             TensorSource want = DiffusersFolder.open(FOLDER).tensors(Component.TEXT_ENCODER_2);
             SafetensorsFile file = SafetensorsFile.open(FILE)) {
            float[] w = want.readFloats("text_projection.weight");
            assertArrayEquals(w, got.readFloats("text_projection.weight"));
            float[] stored = file.readFloats(p.storedName());
            assertFalse(java.util.Arrays.equals(w, stored), "the stored matrix is not symmetric, so the test can fail");
            for (int i = 0; i < w.length; i++) {
                assertEquals(w[i], stored[Math.toIntExact(p.storedElement(i))], "element " + i);
            }
        }
    }

    @Test
    void fusedProjectionsOfTheSecondEncoderAreThirds() {
        ComponentMapping text2 = withFolderConfigs().mapping().component(Component.TEXT_ENCODER_2);
        TensorMapping v = text2.forDiffusers("text_model.encoder.layers.2.self_attn.v_proj.weight").orElseThrow();
        assertEquals(TEXT2 + "transformer.resblocks.2.attn.in_proj_weight", v.storedName());
        assertEquals(2L * 64 * 64, v.elementOffset());
        assertEquals(TEXT2 + "transformer.resblocks.2.mlp.c_proj.weight",
                text2.forDiffusers("text_model.encoder.layers.2.mlp.fc2.weight").orElseThrow().storedName());
        assertEquals(LdmFamily.UNET_PREFIX + "label_emb.0.2.weight", withFolderConfigs().mapping()
                .component(Component.UNET).forDiffusers("add_embedding.linear_2.weight").orElseThrow().storedName());
    }

    @Test
    void inferredUnetStructureMatchesTheFolder() {
        JsonObject inferred = LdmConfigs.infer(LdmLayout.infer(shapes()), null).unetStructure();
        JsonObject folder = json(FOLDER.resolve("unet/config.json"));
        for (String key : List.of("in_channels", "out_channels", "block_out_channels", "layers_per_block",
                "down_block_types", "up_block_types", "transformer_layers_per_block", "cross_attention_dim",
                "use_linear_projection", "addition_embed_type", "addition_time_embed_dim",
                "projection_class_embeddings_input_dim", "upcast_attention", "time_embedding_dim")) {
            assertEquals(folder.get(key), inferred.get(key), key);
        }
        assertEquals(96, inferred.get("cross_attention_dim").getAsInt());
        assertEquals(128, inferred.get("sample_size").getAsInt(), "SDXL's 1024 / 8");
    }

    @Test
    void conventionsGiveSdxlsVaeSchedulerAndPipeline() {
        LdmConfigs configs = LdmConfigs.infer(LdmLayout.infer(shapes()), null);
        JsonObject vae = configs.vae();
        JsonObject folderVae = json(FOLDER.resolve("vae/config.json"));
        for (String key : folderVae.keySet()) {
            if (!Set.of("_diffusers_version", "sample_size").contains(key)) {
                assertEquals(folderVae.get(key), vae.get(key), "vae " + key);
            }
        }
        assertEquals(0.13025, vae.get("scaling_factor").getAsDouble());
        assertSame(json(FOLDER.resolve("scheduler/scheduler_config.json")), configs.scheduler());
        assertSame(json(FOLDER.resolve("model_index.json")), configs.modelIndex());
        JsonObject text2 = configs.of(Component.TEXT_ENCODER_2);
        JsonObject folderText2 = json(FOLDER.resolve("text_encoder_2/config.json"));
        for (String key : text2.keySet()) {
            if (!key.equals("num_attention_heads")) {
                assertEquals(folderText2.get(key), text2.get(key), "text_encoder_2 " + key);
            }
        }
        assertEquals(1, text2.get("num_attention_heads").getAsInt(), "64-wide heads of a 64-wide encoder");
    }

    @Test
    void headsThatAreNotSixtyFourWideNeedTheConfigs() {
        UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                () -> ModelSource.open(FILE));
        assertTrue(e.getMessage().contains("UNet block width 32 is not a multiple of its 64-wide attention heads"),
                e.getMessage());
        assertTrue(e.getMessage().contains("give the model's diffusers configs"), e.getMessage());
    }

    @Test
    void bundledTokenizersPadAsSdxlsDo(@TempDir Path tmp) throws IOException {
        Path configs = tmp.resolve("configs");
        JsonObject index = json(FOLDER.resolve("model_index.json"));
        index.remove("tokenizer");
        index.remove("tokenizer_2");
        Files.createDirectories(configs);
        Files.writeString(configs.resolve("model_index.json"), index.toString());
        for (Component c : PARTS) {
            Files.createDirectories(configs.resolve(c.folderName()));
            Files.copy(FOLDER.resolve(c.folderName()).resolve("config.json"),
                    configs.resolve(c.folderName()).resolve("config.json"));
        }
        SingleFileSource single = SingleFileSource.open(FILE, new SingleFileOptions(configs, null, null, false));
        assertTrue(single.has(Component.TOKENIZER) && single.has(Component.TOKENIZER_2));
        assertEquals("<|endoftext|>", single.config(Component.TOKENIZER).getString("pad_token"));
        assertEquals("!", single.config(Component.TOKENIZER_2).getString("pad_token"));
        assertArrayEquals(Files.readAllBytes(FOLDER.resolve("tokenizer_2/merges.txt")),
                single.file(Component.TOKENIZER_2, "merges.txt").orElseThrow());
        assertEquals(JsonParser.parseString(Files.readString(FOLDER.resolve("tokenizer_2/vocab.json"))),
                JsonParser.parseString(new String(single.file(Component.TOKENIZER_2, "vocab.json").orElseThrow(),
                        StandardCharsets.UTF_8)), "the same vocabulary, whitespace aside");
        String special = new String(single.file(Component.TOKENIZER_2, "special_tokens_map.json").orElseThrow(),
                StandardCharsets.UTF_8);
        assertEquals("!", JsonParser.parseString(special).getAsJsonObject().get("pad_token").getAsString());
    }

    private static void assertSame(JsonObject folder, JsonObject inferred) {
        for (String key : folder.keySet()) {
            if (!key.equals("_diffusers_version")) {
                assertEquals(folder.get(key), inferred.get(key), key);
            }
        }
        for (String key : inferred.keySet()) {
            assertTrue(folder.has(key), "extra key " + key);
        }
    }

    private static JsonObject json(Path p) {
        try {
            return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
