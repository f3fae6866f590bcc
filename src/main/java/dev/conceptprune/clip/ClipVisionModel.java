package dev.conceptprune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.LayerNorm;
import dev.conceptprune.nn.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's vision transformer (transformers' {@code CLIPVisionTransformer}): patch embedding, class
 * token, position embeddings, {@code pre_layrnorm}, pre-LN encoder layers and
 * {@code post_layernorm} on the class token. Weights live in the manager they were loaded into.
 */
public final class ClipVisionModel {
    private final ClipVisionConfig config;
    private final Conv2d patchEmbedding;
    private final NDArray classEmbedding;
    private final NDArray positionEmbedding;
    private final LayerNorm preNorm;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm postNorm;

    /** Loads from parameters named {@code vision_model.*}. */
    public ClipVisionModel(ClipVisionConfig config, Params params) {
        this.config = config;
        Params p = params.sub("vision_model");
        Params e = p.sub("embeddings");
        int h = config.hidden();
        int patch = config.patchSize();
        patchEmbedding = new Conv2d(e.get("patch_embedding.weight", h, config.channels(), patch, patch), null, patch, 0);
        classEmbedding = e.get("class_embedding", h);
        positionEmbedding = e.get("position_embedding.weight", config.positions(), h);
        preNorm = LayerNorm.load(p, "pre_layrnorm", h, config.layerNormEps());
        for (int i = 0; i < config.layers(); i++) {
            layers.add(new ClipEncoderLayer(p.sub("encoder.layers." + i), i, h, config.intermediate(),
                    config.heads(), config.layerNormEps(), config.hiddenAct()));
        }
        postNorm = LayerNorm.load(p, "post_layernorm", h, config.layerNormEps());
    }

    public ClipVisionConfig config() {
        return config;
    }

    /**
     * The pooled output [B, hidden] (the class token after {@code post_layernorm}) of
     * {@code pixels} [B, channels, image_size, image_size]; owned by the pixels' manager.
     */
    public NDArray pooled(NDArray pixels) {
        long[] s = pixels.getShape().getShape();
        int side = config.imageSize();
        if (s.length != 4 || s[1] != config.channels() || s[2] != side || s[3] != side) {
            throw new IllegalArgumentException("pixel values must have shape [batch, " + config.channels() + ", "
                    + side + ", " + side + "], got " + pixels.getShape());
        }
        NDManager caller = pixels.getManager();
        try (NDManager scope = caller.newSubManager()) {
            pixels.tempAttach(scope);
            long batch = s[0];
            int h = config.hidden();
            NDArray patches = patchEmbedding.forward(pixels).reshape(batch, h, -1).transpose(0, 2, 1);
            // Start from an array of the scope: an op chain started from a weight would land in the model's manager.
            NDArray cls = scope.zeros(new Shape(batch, 1, h)).add(classEmbedding);
            NDArray x = NDArrays.concat(new NDList(cls, patches), 1).add(positionEmbedding);
            x = preNorm.forward(x);
            for (ClipEncoderLayer layer : layers) {
                x = layer.forward(x);
            }
            NDArray pooled = postNorm.forward(x.get(new NDIndex(":, 0, :")));
            pooled.attach(caller);
            return pooled;
        }
    }
}
