package dev.conceptprune.clip;

import dev.conceptprune.io.Config;

/**
 * The sizes of a CLIP text transformer, from {@code text_encoder/config.json} (or a CLIP text_config).
 *
 * @param eosTokenId {@code eos_token_id}, which decides where the text is pooled
 * @param projectionDim width of {@code text_projection} where the weights have one
 */
public record ClipTextConfig(int vocabSize, int hidden, int layers, int heads, int intermediate,
                             int maxPositions, double layerNormEps, String hiddenAct, int eosTokenId,
                             int projectionDim) {

    /** transformers' {@code CLIPTextConfig} default since the eos id was corrected (PR #24773). */
    private static final int DEFAULT_EOS_TOKEN_ID = 49407;
    /** transformers' {@code CLIPTextConfig} default. */
    private static final int DEFAULT_PROJECTION_DIM = 512;

    /** Reads and checks the config; inconsistent sizes are reported with the key names. */
    public static ClipTextConfig from(Config c) {
        ClipTextConfig cfg = new ClipTextConfig(
                c.getInt("vocab_size"), c.getInt("hidden_size"), c.getInt("num_hidden_layers"),
                c.getInt("num_attention_heads"), c.getInt("intermediate_size"),
                c.getInt("max_position_embeddings"), c.getDouble("layer_norm_eps", 1e-5),
                c.getString("hidden_act", "quick_gelu"), c.getInt("eos_token_id", DEFAULT_EOS_TOKEN_ID),
                c.getInt("projection_dim", DEFAULT_PROJECTION_DIM));
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

    /** The same tower with another projection width (CLIPModel sizes it with its top-level {@code projection_dim}). */
    public ClipTextConfig withProjectionDim(int dim) {
        return new ClipTextConfig(vocabSize, hidden, layers, heads, intermediate, maxPositions, layerNormEps,
                hiddenAct, eosTokenId, dim);
    }

    /**
     * True when the text is pooled at the largest token id rather than at the first eos token:
     * transformers keeps that rule for configs with the old, wrong eos id 2, where the end-of-text
     * token happens to be the largest id of the CLIP vocabulary.
     */
    public boolean poolsAtLargestId() {
        return eosTokenId == 2;
    }
}
