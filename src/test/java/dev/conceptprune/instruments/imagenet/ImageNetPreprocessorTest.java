package dev.conceptprune.instruments.imagenet;

import static dev.conceptprune.Fixtures.assertClose;

import dev.conceptprune.io.SafetensorsFile;
import org.junit.jupiter.api.Test;

class ImageNetPreprocessorTest {
    @Test
    void matchesTorchvisionImagenet1kV2OnEveryImage() {
        ImageNetPreprocessor pre = ImageNetPreprocessor.imagenet1kV2();
        try (SafetensorsFile ref = SafetensorsFile.open(ResNetFixture.REFERENCE)) {
            for (String stem : ResNetFixture.IMAGES) {
                assertClose(stem + ".input", ref.readFloats(stem + ".input"), pre.apply(ResNetFixture.image(stem)), 0);
            }
        }
    }
}
