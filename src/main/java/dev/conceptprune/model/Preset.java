package dev.conceptprune.model;

import dev.conceptprune.io.Config;
import com.google.gson.JsonParser;
import dev.conceptprune.io.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Built-in model structures: the unet, text_encoder(s) and vae configs published with the diffusers
 * pipelines of Stable Diffusion 1.5, 2.1 and XL base 1.0 (resources next to this class), for
 * benchmarks with random weights and for checkpoints that carry no configs of their own.
 */
public enum Preset {
    SD15("runwayml/stable-diffusion-v1-5"),
    SD21("stabilityai/stable-diffusion-2-1"),
    SDXL("stabilityai/stable-diffusion-xl-base-1.0");

    private final String source;

    Preset(String source) {
        this.source = source;
    }

    /** The preset named {@code sd15}, {@code sd21} or {@code sdxl}. */
    public static Preset parse(String name) {
        for (Preset p : values()) {
            if (p.id().equals(name)) {
                return p;
            }
        }
        throw new InputException("the presets are sd15, sd21 and sdxl, got '" + name + "'");
    }

    /** The command-line name: sd15, sd21 or sdxl. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The Hugging Face repository whose configs these are. */
    public String source() {
        return source;
    }

    /** True for the presets with a second text encoder (SDXL). */
    public boolean has(Component component) {
        return component != Component.TEXT_ENCODER_2 || this == SDXL;
    }

    /** The config of {@code component} (unet, text_encoder, text_encoder_2 where {@link #has} says so, or vae). */
    public Config config(Component component) {
        String resource = "presets/" + id() + "/" + component.folderName() + "/config.json";
        try (InputStream in = Preset.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            var json = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
            return new Config(Path.of("preset " + id(), component.folderName(), "config.json"), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
