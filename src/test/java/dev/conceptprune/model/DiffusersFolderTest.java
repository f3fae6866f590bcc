package dev.conceptprune.model;

import dev.conceptprune.io.Config;
import dev.conceptprune.io.DType;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.WeightFormatException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffusersFolderTest {
    @TempDir
    Path tmp;

    @Test
    void readsTinyPipelineComponents() {
        DiffusersFolder f = DiffusersFolder.open(Fixtures.TINY_SD);
        assertEquals("UNet2DConditionModel", f.components().get("unet"));
        assertEquals("PNDMScheduler", f.components().get("scheduler"));
        assertTrue(!f.components().containsKey("safety_checker"), "null components are skipped");
        assertEquals(32, f.config(Component.UNET).getInt("cross_attention_dim"));
        assertEquals("PNDMScheduler", f.config(Component.SCHEDULER).getString("_class_name"));
        try (TensorStore s = f.weights("unet")) {
            assertEquals(3_222_692L, s.parameterCount());
        }
    }

    @Test
    void missingComponentAndKeysGiveClearErrors() {
        DiffusersFolder f = DiffusersFolder.open(Fixtures.TINY_SD);
        assertTrue(assertThrows(WeightFormatException.class, () -> f.componentDir("controlnet"))
                .getMessage().contains("no component 'controlnet'"));
        Config c = f.config(Component.UNET);
        assertTrue(assertThrows(WeightFormatException.class, () -> c.getInt("no_such_key"))
                .getMessage().contains("missing config key 'no_such_key'"));
        assertTrue(assertThrows(WeightFormatException.class, () -> c.getInt("down_block_types"))
                .getMessage().contains("'down_block_types' must be a number"));
        assertTrue(assertThrows(WeightFormatException.class, () -> DiffusersFolder.open(tmp.resolve("nope")))
                .getMessage().contains("model folder not found"));
    }

    @Test
    void findsFp16VariantAndShards() throws IOException {
        Path root = tmp.resolve("m");
        Files.createDirectories(root.resolve("unet"));
        Files.createDirectories(root.resolve("vae"));
        Files.createDirectories(root.resolve("text_encoder"));
        Files.writeString(root.resolve("model_index.json"), "{\"_class_name\":\"StableDiffusionPipeline\","
                + "\"unet\":[\"diffusers\",\"UNet2DConditionModel\"],\"vae\":[\"diffusers\",\"AutoencoderKL\"],"
                + "\"text_encoder\":[\"transformers\",\"CLIPTextModel\"]}");
        new SafetensorsWriter().addFloats("a", DType.F16, new long[] {1}, new float[] {1})
                .write(root.resolve("unet/diffusion_pytorch_model.fp16.safetensors"));
        new SafetensorsWriter().addFloats("a", DType.F32, new long[] {1}, new float[] {1})
                .write(root.resolve("vae/part-1.safetensors"));
        new SafetensorsWriter().addFloats("b", DType.F32, new long[] {2}, new float[] {2, 3})
                .write(root.resolve("vae/part-2.safetensors"));
        Files.writeString(root.resolve("vae/diffusion_pytorch_model.safetensors.index.json"),
                "{\"metadata\":{},\"weight_map\":{\"a\":\"part-1.safetensors\",\"b\":\"part-2.safetensors\"}}");
        Files.writeString(root.resolve("text_encoder/pytorch_model.bin"), "x");
        DiffusersFolder f = DiffusersFolder.open(root);
        assertEquals(List.of(root.resolve("unet/diffusion_pytorch_model.fp16.safetensors")), f.weightFiles("unet"));
        try (TensorStore s = f.weights("vae")) {
            assertEquals(3, s.parameterCount());
            assertEquals(3f, s.readFloats("b")[1]);
        }
        assertTrue(assertThrows(WeightFormatException.class, () -> f.weightFiles("text_encoder"))
                .getMessage().contains(".bin"));
    }

    @Test
    void isAModelSourceAddressedByComponent() {
        ModelSource source = ModelSource.open(Fixtures.TINY_SD);
        assertTrue(source.has(Component.UNET) && source.has(Component.TOKENIZER));
        assertTrue(!source.has(Component.TEXT_ENCODER_2), "SD 1.x has one text encoder");
        assertEquals(32, source.config(Component.UNET).getInt("cross_attention_dim"));
        try (TensorSource s = source.tensors(Component.UNET)) {
            assertEquals(3_222_692L, s.parameterCount());
        }
        assertTrue(source.file(Component.TOKENIZER, "vocab.json").isPresent());
        assertTrue(source.file(Component.TOKENIZER, "no-such-file.txt").isEmpty());
        assertEquals(Fixtures.TINY_SD.resolve("tokenizer").resolve("merges.txt"),
                source.fileLocation(Component.TOKENIZER, "merges.txt"));
    }

    @Test
    void aRegularFileIsNotAModel() throws IOException {
        Path file = Files.writeString(tmp.resolve("model.json"), "x");
        assertTrue(assertThrows(WeightFormatException.class, () -> ModelSource.open(file))
                .getMessage().contains("is not a model folder (not a directory)"));
        // a checkpoint's file name makes it a single-file source, whose reader names the broken file
        Path broken = Files.writeString(tmp.resolve("model.safetensors"), "x");
        assertTrue(assertThrows(WeightFormatException.class, () -> ModelSource.open(broken))
                .getMessage().startsWith(broken.toString()));
    }
}
