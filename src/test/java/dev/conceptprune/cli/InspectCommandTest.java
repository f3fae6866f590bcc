package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect} on single-file checkpoints: family, inferred configs, EMA, tensors it does not use. */
class InspectCommandTest {
    private static final Path FILE = Fixtures.ROOT.resolve("tiny-sd1-single/tiny-sd1c.safetensors");

    @TempDir
    Path tmp;

    @Test
    void ckptShowsFamilyInferredConfigsAndNothingUnused() {
        CliRun r = CliRun.run("inspect", FILE.resolveSibling("tiny-sd1c.ckpt").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("SD 1.x single-file checkpoint (LDM layout), 964 tensors {F16=7945003}"), r.out());
        assertTrue(r.out().contains("prediction type: epsilon"), r.out());
        assertTrue(r.out().contains("EMA weights: none"), r.out());
        assertTrue(r.out().matches("(?s).*attention_head_dim\\s+8\\n.*"), "SD 1.x: 8 heads per block\n" + r.out());
        assertTrue(r.out().matches("(?s).*num_attention_heads\\s+1\\n.*"), "text heads = 64 / 64\n" + r.out());
        assertTrue(r.out().contains("not used: none"), r.out());
    }

    @Test
    void sdxlFileShowsItsFamilyBothEncodersAndTheAddedConditions() {
        Path xl = Fixtures.ROOT.resolve("tiny-sdxl");
        CliRun r = CliRun.run("inspect", xl.resolve("single_file/tiny-xl.safetensors").toString(), "--config",
                xl.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("SDXL single-file checkpoint (LDM layout), 1055 tensors"), r.out());
        assertTrue(r.out().contains("[text_encoder_2] 3,321,216 parameters from 41 stored tensors"), r.out());
        assertTrue(r.out().matches("(?s).*addition_embed_type\\s+\"text_time\"\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*projection_class_embeddings_input_dim 112\n.*"), r.out());
        assertTrue(r.out().contains("\"EulerDiscreteScheduler\""), r.out());
        assertTrue(r.out().contains("not used: none"), r.out());
    }

    @Test
    void emaCopiesAndUnknownTensorsAreReported() {
        Path file = tmp.resolve("with-extras.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(FILE)) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (TensorInfo t : f.tensors().values()) {
                w.add(t.name(), t.dtype(), t.shape(), f.bytes(t.name()));
            }
            TensorInfo conv = f.info("model.diffusion_model.input_blocks.0.0.weight");
            w.add("model_ema.diffusion_modelinput_blocks00weight", conv.dtype(), conv.shape(), f.bytes(conv.name()));
            w.add("lora_unet_extra.alpha", conv.dtype(), new long[] {1}, f.bytes(conv.name()).slice(0, 2));
            w.write(file);
        }
        CliRun r = CliRun.run("inspect", "--tensors", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("EMA weights: present; using the non-EMA weights"), r.out());
        assertTrue(r.out().contains("EMA weights (not selected)=1"), r.out());
        assertTrue(r.out().contains("not recognised: lora_unet_extra.alpha"), r.out());
        assertTrue(r.out().contains("down_blocks.0.resnets.0.conv1.weight"), "diffusers names listed\n" + r.out());
    }
}
