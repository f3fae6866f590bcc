package dev.conceptprune.instruments.imagenet;

import dev.conceptprune.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** The eval-instruments fixture: the five reference images and the tiny ResNet with its reference outputs. */
final class ResNetFixture {
    static final Path ROOT = Fixtures.ROOT.resolve("eval-instruments");
    static final Path MODEL = ROOT.resolve("tiny-resnet");
    static final Path REFERENCE = MODEL.resolve("reference.safetensors");
    static final Path TOP5 = MODEL.resolve("top5.json");
    /** Image file stems; the reference tensors are {@code <stem>.input} and {@code <stem>.logits}. */
    static final List<String> IMAGES = List.of("odd_97x131", "square_512", "tall_200x120", "toy_64", "wide_120x200");

    private ResNetFixture() {
    }

    static BufferedImage image(String stem) {
        try {
            return ImageIO.read(ROOT.resolve("images").resolve(stem + ".png").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
