package dev.conceptprune.instruments.imagenet;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.Config;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.WeightFormatException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageNetPreprocessorTest {
    /** Measured: 0, every value of all five images (the resize is PIL's, bit for bit). */
    @Test
    void matchesTorchvisionImagenet1kV2OnEveryImage() {
        ImageNetPreprocessor pre = ImageNetPreprocessor.imagenet1kV2();
        try (SafetensorsFile ref = SafetensorsFile.open(ResNetFixture.REFERENCE)) {
            for (String stem : ResNetFixture.IMAGES) {
                assertClose(stem + ".input", ref.readFloats(stem + ".input"), pre.apply(ResNetFixture.image(stem)), 0);
            }
        }
    }

    @Test
    void emptyPreprocessObjectIsImagenet1kV2() {
        BufferedImage image = ResNetFixture.image("odd_97x131");
        assertArrayEquals(ImageNetPreprocessor.imagenet1kV2().apply(image), ImageNetPreprocessor.from(config("{}")).apply(image));
    }

    @Test
    void unsupportedSettingsNameTheirKey() {
        for (String[] c : new String[][] {
                {"{\"interpolation\": \"bicubic\"}", "preprocess.interpolation"},
                {"{\"std\": [0.2, 0, 0.2]}", "preprocess.std"},
                {"{\"mean\": [0.5, 0.5]}", "preprocess.mean"},
                {"{\"resize_short_side\": 100}", "preprocess.center_crop"}}) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> ImageNetPreprocessor.from(config(c[0])));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    private static Config config(String json) {
        return Config.parse(Path.of("config.json"), json);
    }
}
