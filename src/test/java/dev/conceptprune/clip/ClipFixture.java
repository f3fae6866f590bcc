package dev.conceptprune.clip;

import com.google.gson.JsonElement;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Config;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** The tiny CLIP fixture and its reference inputs. */
public final class ClipFixture {
    public static final Path DIR = Fixtures.ROOT.resolve("tiny-clip");
    public static final Path REFERENCE = DIR.resolve("reference");
    public static final Path OUTPUTS = REFERENCE.resolve("outputs.safetensors");

    private ClipFixture() {
    }

    public static List<String> prompts() {
        List<String> out = new ArrayList<>();
        for (JsonElement e : inputs().json().getAsJsonArray("prompts")) {
            out.add(e.getAsString());
        }
        return out;
    }

    /** image0..image2, the 32x32 images. */
    public static List<BufferedImage> images() {
        List<BufferedImage> out = new ArrayList<>();
        for (JsonElement e : inputs().json().getAsJsonArray("images")) {
            out.add(image(e.getAsString()));
        }
        return out;
    }

    /** The 64x48 image that needs a resize and a crop. */
    public static BufferedImage resizeImage() {
        return image(inputs().getString("image_resize"));
    }

    private static Config inputs() {
        return Config.read(REFERENCE.resolve("inputs.json"));
    }

    private static BufferedImage image(String name) {
        try {
            return ImageIO.read(REFERENCE.resolve(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
