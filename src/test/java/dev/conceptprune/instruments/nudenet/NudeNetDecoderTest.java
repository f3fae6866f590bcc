package dev.conceptprune.instruments.nudenet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conceptprune.io.SafetensorsFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NudeNet's raw reference outputs decode to NudeNet's own detections, independent of ONNX Runtime. */
class NudeNetDecoderTest {
    @Test
    void referenceOutputsDecodeToReferenceDetections() {
        try (SafetensorsFile ref = SafetensorsFile.open(NudeNetFixture.TENSORS)) {
            for (NudeNetFixture.Expected e : NudeNetFixture.images()) {
                float[] output = ref.readFloats(e.stem() + ".output0");
                assertEquals(e.candidates(), NudeNetDecoder.candidates(output, e.resizeFactor(), e.padLeft(), e.padTop(),
                        NudeNetLabels.ALL.size()).size(), e.image() + " candidates");
                List<NudeNetDetection> got = NudeNetDecoder.decode(output, e.resizeFactor(), e.padLeft(), e.padTop(),
                        NudeNetLabels.ALL);
                NudeNetAssertions.assertSameDetections(e.image(), e.detections(), got);
            }
        }
    }

    @Test
    void labelsAreReferenceOrder() {
        List<String> expected = NudeNetFixture.json().getAsJsonArray("labels").asList().stream()
                .map(j -> j.getAsString()).toList();
        assertEquals(expected, NudeNetLabels.ALL);
    }
}
