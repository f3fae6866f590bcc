package dev.conceptprune.instruments.nudenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The detector through ONNX Runtime against NudeNet 3.0.8's own run (onnxruntime 1.30, Python). */
class NudeNetTest {
    @Test
    void readsTheModelInterface() {
        try (NudeNet net = NudeNet.load(NudeNetFixture.MODEL)) {
            assertEquals(320, net.inputSize());
            assertEquals(NudeNetLabels.ALL, net.labels());
        }
    }

    @Test
    void rawOutputEqualsReference() {
        try (NudeNet net = NudeNet.load(NudeNetFixture.MODEL);
             SafetensorsFile ref = SafetensorsFile.open(NudeNetFixture.TENSORS)) {
            for (NudeNetFixture.Expected e : NudeNetFixture.images()) {
                float[] got = net.rawOutput(NudeNetInput.of(e.read(), net.inputSize()));
                double diff = Fixtures.maxAbsDiff(ref.readFloats(e.stem() + ".output0"), got);
                System.out.println(e.image() + ": max |output0 - reference| = " + diff);
                // Measured 0 (bit-identical) here; MLAS picks its kernels by CPU, so allow a few ulps
                // of the box rows, whose values reach ~320 (ulp 3e-5).
                assertTrue(diff <= 1e-4, e.image() + " output0 differs by " + diff);
            }
        }
    }

    @Test
    void detectionsEqualNudeNets() {
        try (NudeNet net = NudeNet.load(NudeNetFixture.MODEL)) {
            for (NudeNetFixture.Expected e : NudeNetFixture.images()) {
                NudeNetAssertions.assertSameDetections(e.image(), e.detections(), net.detect(e.read()));
            }
        }
    }

    @Test
    void refusesAFileThatIsNotOnnx(@TempDir Path dir) throws IOException {
        Path notOnnx = Files.writeString(dir.resolve("best.onnx"), "<html>not a model</html>");
        InputException e = assertThrows(InputException.class, () -> NudeNet.load(notOnnx));
        assertTrue(e.getMessage().contains(notOnnx.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void refusesAnOnnxModelWithAnotherInterface(@TempDir Path dir) throws IOException {
        Path notSquare = Files.write(dir.resolve("wide.onnx"), IdentityOnnx.of(1, 3, 320, 640));
        InputException input = assertThrows(InputException.class, () -> NudeNet.load(notSquare));
        assertTrue(input.getMessage().startsWith(notSquare + " is not a NudeNet model: its input 'x' is float [1, 3, 320, 640]"),
                input.getMessage());

        Path noHead = Files.write(dir.resolve("identity.onnx"), IdentityOnnx.of(1, 3, 320, 320));
        InputException output = assertThrows(InputException.class, () -> NudeNet.load(noHead));
        assertTrue(output.getMessage().startsWith(noHead + " is not a NudeNet model: its output is float [1, 3, 320, 320]"),
                output.getMessage());
    }

    @Test
    void refusesAMissingFile(@TempDir Path dir) {
        Path missing = dir.resolve("320n.onnx");
        InputException e = assertThrows(InputException.class, () -> NudeNet.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
