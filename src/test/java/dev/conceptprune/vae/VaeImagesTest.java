package dev.conceptprune.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaeImagesTest {
    private static final Path PNDM = Fixtures.REFERENCE.resolve("pipeline_pndm.safetensors");

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void pipelineImageBecomesTheReferencePngPixels() throws IOException {
        BufferedImage expected = ImageIO.read(Fixtures.REFERENCE.resolve("pipeline_pndm.png").toFile());
        try (SafetensorsFile ref = SafetensorsFile.open(PNDM)) {
            BufferedImage actual = Images.toImage(ref.readFloats("image"), 0, 128, 128);
            assertArrayEquals(pixels(expected), pixels(actual));
        }
    }

    @Test
    void unitRangeOfDecodedMatchesPipelineImage() {
        try (SafetensorsFile ref = SafetensorsFile.open(PNDM); NDManager m = NDManager.newBaseManager()) {
            NDArray decoded = m.create(ref.readFloats("decoded"), new Shape(1, 3, 128, 128));
            float[] unit = Images.toUnitRange(decoded);
            assertArrayEquals(ref.readFloats("image"), unit);
            List<BufferedImage> images = Images.toImages(decoded);
            assertEquals(1, images.size());
            assertArrayEquals(pixels(Images.toImage(unit, 0, 128, 128)), pixels(images.get(0)));
        }
    }

    @Test
    void roundingIsHalfToEvenLikeNumpy() {
        int ties = 0;
        for (int k = 0; k < 255; k++) {
            float x = exactTie(k);
            if (Float.isNaN(x)) {
                continue;
            }
            ties++;
            int red = (Images.toImage(new float[] {x, 0f, 0f}, 0, 1, 1).getRGB(0, 0) >> 16) & 0xff;
            assertEquals(k % 2 == 0 ? k : k + 1, red, "byte for " + k + ".5");
        }
        assertEquals(255, ties, "float32 has an exact tie for every byte");
    }

    /** A float x with x * 255f == k + 0.5 exactly, or NaN if float32 has none near (k + 0.5) / 255. */
    private static float exactTie(int k) {
        float target = k + 0.5f;
        float x = target / 255f;
        for (int i = 0; i < 4; i++, x = Math.nextUp(x)) {
            if (x * 255f == target) {
                return x;
            }
        }
        x = target / 255f;
        for (int i = 0; i < 4; i++, x = Math.nextDown(x)) {
            if (x * 255f == target) {
                return x;
            }
        }
        return Float.NaN;
    }

    @Test
    void pngWriteReadAndEncoderInputRoundTrip(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] colours = {0x000000, 0xffffff, 0xff8000, 0x0080ff, 0x123456, 0x7f7f7f};
        img.setRGB(0, 0, 3, 2, colours, 0, 3);
        Path file = dir.resolve("out.png");
        Images.writePng(img, file);
        BufferedImage back = ImageIO.read(file.toFile());
        assertArrayEquals(pixels(img), pixels(back));
        try (Stream<Path> listing = Files.list(dir)) {
            assertEquals(1, listing.count(), "no temporary file left");
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Images.fromImage(m, back);
            assertEquals(new Shape(1, 3, 2, 3), x.getShape());
            float[] v = x.toFloatArray();
            assertEquals(-1f, v[0]);
            assertEquals(1f, v[1]);
            assertEquals(2f * (0x80 / 255f) - 1f, v[6 + 2]);
            // Back through the decoder-side conversion gives the same bytes.
            assertArrayEquals(pixels(img), pixels(Images.toImages(x).get(0)));
        }
    }
}
