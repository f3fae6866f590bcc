package dev.conceptprune.clip;

import dev.conceptprune.io.Config;

/** The sizes of a CLIP vision transformer, from the {@code vision_config} of a CLIP {@code config.json}. */
public record ClipVisionConfig(int hidden, int layers, int heads, int intermediate, int imageSize,
                               int patchSize, int channels, double layerNormEps, String hiddenAct) {

    /** Reads and checks the section; every error names the offending key. */
    public static ClipVisionConfig from(Config c) {
        ClipVisionConfig cfg = new ClipVisionConfig(
                c.getInt("hidden_size"), c.getInt("num_hidden_layers"), c.getInt("num_attention_heads"),
                c.getInt("intermediate_size"), c.getInt("image_size"), c.getInt("patch_size"),
                c.getInt("num_channels", 3), c.getDouble("layer_norm_eps", 1e-5),
                c.getString("hidden_act", "quick_gelu"));
        if (cfg.hidden <= 0 || cfg.layers <= 0 || cfg.intermediate <= 0 || cfg.channels <= 0) {
            throw c.error("hidden_size, num_hidden_layers, intermediate_size and num_channels must be > 0");
        }
        if (cfg.heads <= 0 || cfg.hidden % cfg.heads != 0) {
            throw c.error("num_attention_heads " + cfg.heads + " does not divide hidden_size " + cfg.hidden);
        }
        if (cfg.patchSize <= 0 || cfg.imageSize <= 0 || cfg.imageSize % cfg.patchSize != 0) {
            throw c.error("patch_size " + cfg.patchSize + " does not divide image_size " + cfg.imageSize);
        }
        if (!cfg.hiddenAct.equals("quick_gelu") && !cfg.hiddenAct.equals("gelu")) {
            throw c.error("hidden_act '" + cfg.hiddenAct + "' is not supported (quick_gelu or gelu)");
        }
        return cfg;
    }

    /** Patches per image side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Tokens per image: one per patch plus the class token. */
    public int positions() {
        return gridSize() * gridSize() + 1;
    }
}
