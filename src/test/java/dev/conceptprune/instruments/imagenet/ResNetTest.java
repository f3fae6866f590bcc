package dev.conceptprune.instruments.imagenet;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.DType;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.io.WeightFormatException;
import dev.conceptprune.runtime.Runtime;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResNetTest {
    /**
     * Measured here: max abs diff 2.6e-5 one image at a time, 3.4e-5 in a batch of five, on logits
     * up to 82 in magnitude (at most 7.7e-7 of an image's largest logit alone, 1.5e-6 batched), from float32 summation
     * order in the convolutions; the tolerance is about six times the larger figure.
     */
    private static final double LOGITS_TOL = 2e-4;

    @TempDir
    Path tmp;

    @Test
    void logitsOfTheReferenceInputsMatchTorchvision() {
        try (SafetensorsFile ref = SafetensorsFile.open(ResNetFixture.REFERENCE);
             NDManager m = Runtime.cpu().newManager()) {
            ResNet net = ResNet.load(ResNetFixture.MODEL, Runtime.cpu(), m);
            for (String stem : ResNetFixture.IMAGES) {
                float[] expected = ref.readFloats(stem + ".logits");
                try (NDManager call = m.newSubManager()) {
                    NDArray input = call.create(FloatBuffer.wrap(ref.readFloats(stem + ".input")),
                            new Shape(1, 3, 224, 224));
                    float[] actual = net.forward(input).toFloatArray();
                    assertEquals(2, call.getManagedArrays().size(), "only the input and the logits remain");
                    assertClose(stem + ".logits", expected, actual, LOGITS_TOL);
                    System.out.printf("%s.logits: max abs diff / max |ref| %.3g%n", stem,
                            Fixtures.maxAbsDiff(expected, actual) / Fixtures.maxAbs(expected));
                }
            }
        }
    }

    @Test
    void classifierGivesTheReferenceTop5AndLogitsFromThePngs() {
        Config top5 = Config.read(ResNetFixture.TOP5);
        try (SafetensorsFile ref = SafetensorsFile.open(ResNetFixture.REFERENCE);
             ImageNetClassifier classifier = ImageNetClassifier.load(ResNetFixture.MODEL, Runtime.cpu())) {
            List<BufferedImage> images = ResNetFixture.IMAGES.stream().map(ResNetFixture::image).toList();
            List<Classification> batch = classifier.classify(images);
            for (int i = 0; i < images.size(); i++) {
                String stem = ResNetFixture.IMAGES.get(i);
                Classification c = batch.get(i);
                assertArrayEquals(top5.getIntArray(stem + ".png"), c.top5(), stem);
                assertClose(stem + " batched logits", ref.readFloats(stem + ".logits"), c.logits(), LOGITS_TOL);
                assertArrayEquals(c.top5(), classifier.classify(images.get(i)).top5(), stem + " alone");
            }
        }
    }

    @Test
    void configOfTheFixtureIsRead() {
        ResNetConfig c = ResNetConfig.read(ResNetFixture.MODEL.resolve(ResNet.CONFIG_FILE));
        assertArrayEquals(new int[] {3, 4, 6, 3}, c.layers());
        assertEquals(8, c.width());
        assertEquals(1000, c.numClasses());
        assertEquals(1e-5, c.batchNormEps());
        assertEquals(224, c.preprocess().cropSize());
        assertEquals(256, c.features());
    }

    @Test
    void aFileWithoutConfigIsResNet50AndTheTinyWeightsDoNotFitIt() {
        ResNetConfig d = ResNetConfig.resnet50();
        assertArrayEquals(new int[] {3, 4, 6, 3}, d.layers());
        assertEquals(64, d.width());
        assertEquals(2048, d.features());
        WeightFormatException e = assertThrows(WeightFormatException.class,
                () -> load(ResNetFixture.MODEL.resolve(ResNet.WEIGHTS_FILE)));
        assertTrue(e.getMessage().contains("'conv1.weight' has shape [8, 3, 7, 7] but the config implies"
                + " [64, 3, 7, 7]"), e.getMessage());
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        Path folder = editedFolder(w -> { }, "layer3.2.bn2.running_var");
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> load(folder));
        assertTrue(e.getMessage().contains("missing tensor 'layer3.2.bn2.running_var'"), e.getMessage());
    }

    @Test
    void wrongShapeIsNamed() throws Exception {
        Path folder = editedFolder(w -> w.addFloats("fc.bias", DType.F32, new long[] {999}, new float[999]), "fc.bias");
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> load(folder));
        assertTrue(e.getMessage().contains("'fc.bias' has shape [999] but the config implies [1000]"), e.getMessage());
    }

    @Test
    void unexplainedTensorIsNamedButBatchCountersAreIgnored() throws Exception {
        Path folder = editedFolder(w -> w.addFloats("layer5.0.conv1.weight", DType.F32, new long[] {1}, new float[1]));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> load(folder));
        assertTrue(e.getMessage().contains("1 tensors are not explained") && e.getMessage().contains("layer5.0.conv1"),
                e.getMessage());
    }

    @Test
    void badConfigAndMissingFilesAreInputErrors() throws Exception {
        Path folder = editedFolder(w -> { });
        Files.writeString(folder.resolve(ResNet.CONFIG_FILE), "{\"layers\": [3, 4, 6, 3], \"width\": 8,"
                + " \"preprocess\": {\"resize_short_side\": 200, \"center_crop\": 224}}");
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> load(folder));
        assertTrue(e.getMessage().contains("center_crop"), e.getMessage());
        Files.delete(folder.resolve(ResNet.CONFIG_FILE));
        Files.delete(folder.resolve(ResNet.WEIGHTS_FILE));
        e = assertThrows(WeightFormatException.class, () -> load(folder));
        assertTrue(e.getMessage().contains("no model.safetensors"), e.getMessage());
        assertThrows(InputException.class, () -> load(tmp.resolve("absent")));
    }

    private static void load(Path path) {
        try (ImageNetClassifier ignored = ImageNetClassifier.load(path, Runtime.cpu())) {
            assertTrue(ignored.config().numClasses() > 0);
        }
    }

    /** A copy of the fixture folder without the {@code dropped} tensors, with what {@code add} writes. */
    private Path editedFolder(Consumer<SafetensorsWriter> add, String... dropped) throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("model"));
        Files.copy(ResNetFixture.MODEL.resolve(ResNet.CONFIG_FILE), folder.resolve(ResNet.CONFIG_FILE));
        SafetensorsWriter w = new SafetensorsWriter();
        List<String> drop = List.of(dropped);
        try (SafetensorsFile f = SafetensorsFile.open(ResNetFixture.MODEL.resolve(ResNet.WEIGHTS_FILE))) {
            for (TensorInfo t : f.tensors().values()) {
                if (!drop.contains(t.name())) {
                    w.add(t.name(), t.dtype(), t.shape(), f.bytes(t.name()));
                }
            }
            add.accept(w);
            w.write(folder.resolve(ResNet.WEIGHTS_FILE));
        }
        return folder;
    }
}
