package dev.conceptprune.clip;

import dev.conceptprune.io.PilResize;
import dev.conceptprune.io.RgbImage;
import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.SafetensorsFile;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ClipImageProcessorTest {
    private static final ClipImageProcessor PROCESSOR =
            ClipImageProcessor.read(ClipFixture.DIR.resolve("preprocessor_config.json"));

    @Test
    void pixelValuesMatchTransformers() {
        try (SafetensorsFile ref = SafetensorsFile.open(ClipFixture.OUTPUTS);
             NDManager m = NDManager.newBaseManager()) {
            NDArray pixels = PROCESSOR.pixelValues(m, ClipFixture.images());
            assertArrayEquals(new long[] {3, 3, 32, 32}, pixels.getShape().getShape());
            assertClose("pixel_values", ref.readFloats("pixel_values"), pixels.toFloatArray(), 0);
        }
    }

    @Test
    void resizedAndCroppedPixelValuesMatchTransformers() {
        BufferedImage image = ClipFixture.resizeImage();
        assertEquals(64, image.getWidth());
        assertEquals(48, image.getHeight());
        try (SafetensorsFile ref = SafetensorsFile.open(ClipFixture.OUTPUTS)) {
            float[] expected = ref.readFloats("pixel_values_resize");
            float[] actual = PROCESSOR.pixels(image);
            assertClose("pixel_values_resize", expected, actual, 0);
        }
    }

    @Test
    void bicubicResizeKeepsAFlatImageFlat() {
        byte[] rgb = new byte[3 * 7 * 5];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) 200;
            rgb[i + 1] = (byte) 17;
            rgb[i + 2] = (byte) 255;
        }
        for (int[] size : List.of(new int[] {3, 2}, new int[] {13, 11}, new int[] {7, 1})) {
            RgbImage out = PilResize.resize(new RgbImage(7, 5, rgb), size[0], size[1], PilResize.Filter.BICUBIC);
            for (int y = 0; y < out.height(); y++) {
                for (int x = 0; x < out.width(); x++) {
                    assertEquals(200, out.at(x, y, 0));
                    assertEquals(17, out.at(x, y, 1));
                    assertEquals(255, out.at(x, y, 2));
                }
            }
        }
    }

    @Test
    void legacyBareSizesMeanShortestEdgeAndSquareCrop() {
        Config c = edited(o -> {
            o.addProperty("size", 32);
            o.addProperty("crop_size", 32);
        });
        BufferedImage image = ClipFixture.resizeImage();
        assertArrayEquals(PROCESSOR.pixels(image), ClipImageProcessor.from(c).pixels(image));
    }

    @Test
    void imageSmallerThanTheCropIsPaddedWithBlackAsTransformersDoes() {
        ClipImageProcessor noResize = ClipImageProcessor.from(edited(o -> o.addProperty("do_resize", false)));
        BufferedImage small = new BufferedImage(30, 31, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 31; y++) {
            for (int x = 0; x < 30; x++) {
                small.setRGB(x, y, 0xffffff);
            }
        }
        float[] px = noResize.pixels(small);
        float black = (0f - 0.48145466f) / 0.26862954f;
        float white = (float) (255 * (1 / 255.0));
        white = (white - 0.48145466f) / 0.26862954f;
        // top = (31 - 32) // 2 = -1 and left = (30 - 32) // 2 = -1: one black row on top, one column each side.
        assertEquals(black, px[0]);
        assertEquals(black, px[32 + 0]);
        assertEquals(white, px[32 + 1]);
        assertEquals(white, px[32 + 30]);
        assertEquals(black, px[32 + 31]);
        assertEquals(white, px[31 * 32 + 1]);
    }

    private static Config edited(Consumer<JsonObject> edit) {
        Path file = ClipFixture.DIR.resolve("preprocessor_config.json");
        JsonObject o = Config.read(file).json().deepCopy();
        edit.accept(o);
        return new Config(file, o);
    }
}
