package dev.conceptprune.clip;

import com.google.gson.JsonElement;
import dev.conceptprune.io.Config;
import java.nio.file.Path;

/**
 * A full CLIP model's {@code config.json} (transformers' {@code CLIPConfig}): both towers and the
 * shared projection size (which also sizes the text tower's projection).
 */
public record ClipConfig(ClipTextConfig text, ClipVisionConfig vision, int projectionDim) {

    /** transformers' {@code CLIPConfig} default. */
    private static final int DEFAULT_PROJECTION_DIM = 512;

    /** Reads and checks a CLIP {@code config.json}. */
    public static ClipConfig read(Path file) {
        return from(Config.read(file));
    }

    /** Checks a parsed CLIP config; errors name the file, the section and the key. */
    public static ClipConfig from(Config c) {
        Config text = section(c, "text_config");
        Config vision = section(c, "vision_config");
        int projection = c.getInt("projection_dim", DEFAULT_PROJECTION_DIM);
        if (projection <= 0) {
            throw c.error("config key 'projection_dim' must be > 0, found " + projection);
        }
        return new ClipConfig(ClipTextConfig.from(text).withProjectionDim(projection), ClipVisionConfig.from(vision),
                projection);
    }

    /**
     * A nested section as a config of its own, its file named with the section as a fragment so
     * that errors say which of the two towers a key belongs to.
     */
    private static Config section(Config c, String key) {
        if (!c.has(key)) {
            throw c.error("missing config key '" + key + "'");
        }
        JsonElement e = c.json().get(key);
        if (!e.isJsonObject()) {
            throw c.error("config key '" + key + "' must be an object");
        }
        Path file = c.file();
        Path named = file.resolveSibling(file.getFileName() + "#" + key);
        return new Config(named, e.getAsJsonObject());
    }
}
