package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.scheduler.Schedulers;
import dev.conceptprune.clip.ClipTextConfig;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The converter on a real SD 1.x single file written by diffusers' own script, against the same
 * model as a diffusers folder: every tensor explained, every parameter found bit for bit.
 */
class LdmFixtureTest {
    private static final Path DIR = Fixtures.ROOT.resolve("tiny-sd1-single");
    private static final Path FOLDER = DIR.resolve("diffusers");
    private static final Map<Component, String> WEIGHTS = Map.of(
            Component.UNET, "unet/diffusion_pytorch_model.safetensors",
            Component.VAE, "vae/diffusion_pytorch_model.safetensors",
            Component.TEXT_ENCODER, "text_encoder/model.safetensors");

    private static SafetensorsFile file;
    private static TensorShapes shapes;
    private static LdmLayout layout;
    private static LdmConverter converter;
    private static LdmMapping mapping;

    @BeforeAll
    static void open() {
        file = SafetensorsFile.open(DIR.resolve("tiny-sd1c.safetensors"));
        shapes = shapesOf(file);
        layout = LdmLayout.infer(shapes);
        converter = new LdmConverter(layout);
        mapping = converter.convert(shapes, WeightSet.NON_EMA);
    }

    @AfterAll
    static void close() {
        file.close();
    }

    static TensorShapes shapesOf(SafetensorsFile f) {
        Map<String, long[]> m = new LinkedHashMap<>();
        f.tensors().forEach((name, info) -> m.put(name, info.shape()));
        return new TensorShapes(m);
    }

    @Test
    void detectsSd1AndExplainsEveryTensor() {
        assertEquals(LdmFamily.SD1, layout.family());
        assertEquals(964, file.tensors().size());
        assertEquals(List.of(), mapping.unused());
        assertFalse(mapping.hasEma());
        JsonObject facts = json(DIR.resolve("facts.json")).getAsJsonObject("components_round_trip");
        int total = 0;
        for (Component c : layout.family().components()) {
            int stored = mapping.component(c).storedNames().size();
            assertEquals(facts.get(c.folderName()).getAsInt(), stored, c.folderName());
            total += stored;
        }
        assertEquals(964, total);
    }

    @Test
    void convertedTensorsAreTheFolderTensorsBitForBit() {
        for (Component c : layout.family().components()) {
            ComponentMapping cm = mapping.component(c);
            try (SafetensorsFile folder = SafetensorsFile.open(FOLDER.resolve(WEIGHTS.get(c)))) {
                assertEquals(folder.tensors().keySet(), cm.diffusersNames(), c.folderName() + " names");
                for (TensorMapping m : cm.tensors()) {
                    TensorInfo want = folder.info(m.diffusersName());
                    TensorInfo stored = file.info(m.storedName());
                    assertArrayEquals(want.shape(), m.shape(), m.toString());
                    assertEquals(want.dtype(), stored.dtype(), m.toString());
                    ByteBuffer bytes = file.bytes(m.storedName());
                    int size = stored.dtype().size();
                    bytes.position(Math.toIntExact(m.elementOffset() * size));
                    bytes.limit(Math.toIntExact((m.elementOffset() + m.elementCount()) * size));
                    assertEquals(folder.bytes(m.diffusersName()), bytes.slice(), m.toString());
                }
            }
        }
    }

    @Test
    void vaeAttentionProjectionsAreConvWeightsReadAsLinear() {
        TensorMapping q = mapping.component(Component.VAE).forDiffusers("decoder.mid_block.attentions.0.to_q.weight")
                .orElseThrow();
        assertEquals("first_stage_model.decoder.mid.attn_1.q.weight", q.storedName());
        assertArrayEquals(new long[] {64, 64, 1, 1}, q.storedShape());
        assertArrayEquals(new long[] {64, 64}, q.shape());
        assertTrue(q.isReshaped());
        assertFalse(q.isSlice());
        TensorMapping up = mapping.component(Component.VAE).forDiffusers("decoder.up_blocks.0.resnets.2.conv1.weight")
                .orElseThrow();
        assertEquals("first_stage_model.decoder.up.3.block.2.conv1.weight", up.storedName());
    }

    @Test
    void unetIndexArithmetic() {
        ComponentMapping u = mapping.component(Component.UNET);
        Map<String, String> expected = Map.of(
                "conv_in.weight", "input_blocks.0.0.weight",
                "time_embedding.linear_2.bias", "time_embed.2.bias",
                "down_blocks.1.resnets.1.time_emb_proj.weight", "input_blocks.5.0.emb_layers.1.weight",
                "down_blocks.2.attentions.0.proj_in.weight", "input_blocks.7.1.proj_in.weight",
                "down_blocks.2.downsamplers.0.conv.weight", "input_blocks.9.0.op.weight",
                "up_blocks.0.upsamplers.0.conv.bias", "output_blocks.2.1.conv.bias",
                "up_blocks.1.upsamplers.0.conv.weight", "output_blocks.5.2.conv.weight",
                "up_blocks.3.attentions.2.transformer_blocks.0.attn2.to_k.weight",
                "output_blocks.11.1.transformer_blocks.0.attn2.to_k.weight",
                "up_blocks.3.resnets.0.conv_shortcut.weight", "output_blocks.9.0.skip_connection.weight",
                "mid_block.resnets.1.norm2.weight", "middle_block.2.out_layers.0.weight");
        expected.forEach((d, s) -> assertEquals(LdmFamily.UNET_PREFIX + s, u.forDiffusers(d).orElseThrow().storedName(), d));
        assertEquals("conv_norm_out.bias", converter.toDiffusers(Component.UNET, LdmFamily.UNET_PREFIX + "out.0.bias")
                .get(0));
    }

    @Test
    void reverseMappingRoundTripsEveryName() {
        for (Component c : layout.family().components()) {
            ComponentMapping cm = mapping.component(c);
            for (TensorMapping m : cm.tensors()) {
                assertEquals(m, converter.toStored(c, m.diffusersName(), m.shape()).orElseThrow(), m.toString());
                assertEquals(List.of(m.diffusersName()), converter.toDiffusers(c, m.storedName()));
                assertEquals(List.of(m), cm.forStored(m.storedName()));
            }
        }
    }

    @Test
    void inferredConfigsMatchTheFolder() {
        LdmConfigs configs = LdmConfigs.infer(layout, null);
        // sample_size is a training resolution, not stored in the weights: the family's (512 / 8) is inferred
        Set<String> notInferable = Set.of("_diffusers_version", "_name_or_path", "sample_size");
        assertSameValues(json(FOLDER.resolve("unet/config.json")), configs.unet(), notInferable);
        assertSameValues(json(FOLDER.resolve("vae/config.json")), configs.vae(), notInferable);
        assertSameValues(json(FOLDER.resolve("scheduler/scheduler_config.json")), configs.scheduler(), notInferable);
        assertSameValues(json(FOLDER.resolve("model_index.json")), configs.modelIndex(), notInferable);
        assertEquals(64, configs.unet().get("sample_size").getAsInt());
        assertEquals(512, configs.vae().get("sample_size").getAsInt());

        JsonObject text = json(FOLDER.resolve("text_encoder/config.json"));
        for (String key : configs.textEncoder().keySet()) {
            assertEquals(text.get(key), configs.textEncoder().get(key), "text_encoder " + key);
        }
        for (String key : List.of("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                "intermediate_size", "max_position_embeddings", "layer_norm_eps", "hidden_act")) {
            assertTrue(configs.textEncoder().has(key), key);
        }
    }

    @Test
    void inferredConfigsReadLikeTheFolders() {
        LdmConfigs configs = LdmConfigs.infer(layout, null);
        Path here = Path.of("inferred");
        assertEquals(ClipTextConfig.from(Config.read(FOLDER.resolve("text_encoder/config.json"))),
                ClipTextConfig.from(new Config(here, configs.textEncoder())));
        UNetConfig unet = UNetConfig.from(new Config(here, configs.unet()));
        UNetConfig folderUnet = UNetConfig.from(Config.read(FOLDER.resolve("unet/config.json")));
        assertArrayEquals(folderUnet.blockOutChannels(), unet.blockOutChannels());
        assertArrayEquals(folderUnet.attentionHeads(), unet.attentionHeads());
        assertEquals(folderUnet.downBlockTypes(), unet.downBlockTypes());
        assertEquals(folderUnet.upBlockTypes(), unet.upBlockTypes());
        VaeConfig vae = VaeConfig.from(new Config(here, configs.vae()));
        assertArrayEquals(VaeConfig.from(Config.read(FOLDER.resolve("vae/config.json"))).blockOutChannels(),
                vae.blockOutChannels());
        assertEquals(Schedulers.fromConfigFile(FOLDER.resolve("scheduler/scheduler_config.json"), null).getClass(),
                Schedulers.fromConfig(configs.scheduler(), null, here).getClass());
    }

    private static void assertSameValues(JsonObject folder, JsonObject inferred, Set<String> skip) {
        for (String key : folder.keySet()) {
            if (!skip.contains(key)) {
                assertTrue(inferred.has(key), "missing key " + key);
                assertEquals(folder.get(key), inferred.get(key), key);
            }
        }
        for (String key : inferred.keySet()) {
            assertTrue(folder.has(key) || skip.contains(key), "extra key " + key);
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
