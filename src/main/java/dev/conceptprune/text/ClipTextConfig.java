package dev.conceptprune.text;

import dev.conceptprune.weights.Config;

/** The sizes of a CLIP text transformer, from {@code text_encoder/config.json} (or a CLIP text_config). */
public record ClipTextConfig(int vocabSize, int hidden, int layers, int heads, int intermediate,
                             int maxPositions, double layerNormEps, String hiddenAct) {

    /** Reads and checks the config; inconsistent sizes are reported with the key names. */
    public static ClipTextConfig from(Config c) {
        ClipTextConfig cfg = new ClipTextConfig(
                c.getInt("vocab_size"), c.getInt("hidden_size"), c.getInt("num_hidden_layers"),
                c.getInt("num_attention_heads"), c.getInt("intermediate_size"),
                c.getInt("max_position_embeddings"), c.getDouble("layer_norm_eps", 1e-5),
                c.getString("hidden_act", "quick_gelu"));
        if (cfg.heads <= 0 || cfg.hidden % cfg.heads != 0) {
            throw c.error("num_attention_heads " + cfg.heads + " does not divide hidden_size " + cfg.hidden);
        }
        if (cfg.layers <= 0 || cfg.vocabSize <= 0 || cfg.maxPositions <= 0 || cfg.intermediate <= 0) {
            throw c.error("num_hidden_layers, vocab_size, max_position_embeddings and intermediate_size must be > 0");
        }
        if (!cfg.hiddenAct.equals("quick_gelu") && !cfg.hiddenAct.equals("gelu")) {
            throw c.error("hidden_act '" + cfg.hiddenAct + "' is not supported (quick_gelu or gelu)");
        }
        return cfg;
    }
}
