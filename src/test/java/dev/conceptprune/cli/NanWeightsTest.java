package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NaN weights give black images; the run says so instead of succeeding silently. */
class NanWeightsTest {
    @TempDir
    Path tmp;

    @Test
    void aNanInTheUNetIsReportedAtTheFirstUNetCall() throws IOException {
        Path model = tmp.resolve("model");
        Fixtures.copyTree(Fixtures.TINY_SD, model);
        Path weights = model.resolve("unet/diffusion_pytorch_model.safetensors");
        Path poisoned = tmp.resolve("unet.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            SafetensorsWriter w = new SafetensorsWriter();
            f.metadata().forEach(w::metadata);
            for (TensorInfo t : f.tensors().values()) {
                ByteBuffer data = f.bytes(t.name());
                if (t.name().equals("conv_in.weight")) {
                    ByteBuffer copy = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                    copy.put(data.duplicate()).flip();
                    copy.putFloat(0, Float.NaN);
                    data = copy;
                }
                w.add(t.name(), t.dtype(), t.shape(), data);
            }
            w.write(poisoned);
        }
        Files.move(poisoned, weights, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun r = CliRun.run("generate", "--model", model.toString(), "--prompt", "a cat", "--steps", "2",
                "--height", "64", "--width", "64", "--quiet", "--out", tmp.resolve("cat.png").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: the UNet produced NaN at UNet call 1 "), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("warning:")).count(), "one warning: " + r.err());
    }
}
