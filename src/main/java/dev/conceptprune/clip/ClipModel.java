package dev.conceptprune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Params;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.io.WeightFormatException;
import java.nio.file.Path;

/**
 * transformers' {@code CLIPModel}: both towers and their projections into the shared embedding
 * space. Weights live in the manager they were loaded into; calls compute in sub-managers and
 * return arrays owned by the caller's manager.
 */
public final class ClipModel {
    /** Older checkpoints store the position index buffers; they are recomputed, not loaded. */
    private static final String POSITION_IDS = ".position_ids";

    private final ClipConfig config;
    private final ClipTextModel text;
    private final ClipVisionModel vision;
    private final Linear visualProjection;
    private final float logitScale;

    private ClipModel(ClipConfig config, Params p) {
        this.config = config;
        text = new ClipTextModel(config.text(), p, true);
        vision = new ClipVisionModel(config.vision(), p);
        visualProjection = Linear.load(p, "visual_projection", config.vision().hidden(), config.projectionDim(), false);
        try (NDArray scale = p.get("logit_scale")) {
            // Stored as a logarithm so that training keeps it positive.
            logitScale = (float) Math.exp(scale.getFloat());
        }
    }

    /** Loads {@code config.json} and {@code model.safetensors} of a CLIP folder into {@code manager}. */
    public static ClipModel load(Path dir, NDManager manager) {
        ClipConfig config = ClipConfig.read(dir.resolve("config.json"));
        try (TensorStore store = TensorStore.open(dir.resolve("model.safetensors"))) {
            return load(config, store, manager);
        }
    }

    /**
     * Loads the weights {@code config} implies; a missing tensor, a wrong shape or a tensor the
     * config does not explain is a {@link WeightFormatException}.
     */
    public static ClipModel load(ClipConfig config, TensorStore store, NDManager manager) {
        Params p = new Params(store, manager);
        ClipModel model = new ClipModel(config, p);
        p.requireAllUsed("CLIP", name -> name.endsWith(POSITION_IDS));
        return model;
    }

    public ClipConfig config() {
        return config;
    }

    /** {@code exp(logit_scale)}: the temperature that turns cosine similarities into logits. */
    public float logitScale() {
        return logitScale;
    }

    /**
     * {@code get_image_features}: projected, not normalised embeddings [B, projection_dim] of
     * preprocessed pixels [B, 3, H, W]; owned by the pixels' manager.
     */
    public NDArray imageFeatures(NDArray pixels) {
        NDManager caller = pixels.getManager();
        try (NDManager scope = caller.newSubManager()) {
            NDArray pooled = vision.pooled(pixels);
            pooled.attach(scope);
            NDArray features = visualProjection.forward(pooled);
            features.attach(caller);
            return features;
        }
    }

    /**
     * {@code get_text_features}: projected, not normalised embeddings [B, projection_dim] of token
     * ids [B][seq], each pooled at its end-of-text token; owned by {@code manager}.
     */
    public NDArray textFeatures(NDManager manager, int[][] ids) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray features = text.project(text.pooled(scope, ids));
            features.attach(manager);
            return features;
        }
    }
}
