package dev.conceptprune.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.nn.LayerNorm;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.weights.Component;
import dev.conceptprune.weights.ModelSource;
import dev.conceptprune.weights.TensorSource;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's text transformer (transformers' {@code CLIPTextModel}): token and position embeddings,
 * pre-LN layers with a causal mask, final layer norm. Weights live in the manager they were
 * loaded into; every forward call works in a sub-manager of the caller's.
 */
public final class ClipTextModel {
    private final ClipTextConfig config;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<Layer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;

    /** Sees the input of every layer's {@code mlp.fc2} (the activation after fc1), valid during the call only. */
    @FunctionalInterface
    public interface MlpObserver {
        void onFc2Input(int layer, NDArray activation);
    }

    private MlpObserver mlpObserver;

    private record Layer(LayerNorm norm1, Linear q, Linear k, Linear v, Linear out,
                         LayerNorm norm2, Linear fc1, Linear fc2) {
    }

    /** Loads from parameters named {@code text_model.*}. */
    public ClipTextModel(ClipTextConfig config, Params params) {
        this.config = config;
        Params p = params.sub("text_model");
        long h = config.hidden();
        tokenEmbedding = p.get("embeddings.token_embedding.weight", config.vocabSize(), h);
        positionEmbedding = p.get("embeddings.position_embedding.weight", config.maxPositions(), h);
        for (int i = 0; i < config.layers(); i++) {
            Params l = p.sub("encoder.layers." + i);
            Params a = l.sub("self_attn");
            layers.add(new Layer(
                    LayerNorm.load(l, "layer_norm1", h, config.layerNormEps()),
                    Linear.load(a, "q_proj", h, h, true), Linear.load(a, "k_proj", h, h, true),
                    Linear.load(a, "v_proj", h, h, true), Linear.load(a, "out_proj", h, h, true),
                    LayerNorm.load(l, "layer_norm2", h, config.layerNormEps()),
                    Linear.load(l, "mlp.fc1", h, config.intermediate(), true),
                    Linear.load(l, "mlp.fc2", config.intermediate(), h, true)));
        }
        finalNorm = LayerNorm.load(p, "final_layer_norm", h, config.layerNormEps());
    }

    /**
     * Loads the {@code text_encoder} weights of a model for {@code runtime} into {@code manager}
     * (one the runtime made).
     */
    public static ClipTextModel load(ModelSource source, ClipTextConfig config, Runtime runtime, NDManager manager) {
        try (TensorSource store = source.tensors(Component.TEXT_ENCODER)) {
            return new ClipTextModel(config, new Params(store, runtime, manager));
        }
    }

    public ClipTextConfig config() {
        return config;
    }

    /** Sets (or clears with null) the observer of the MLP activations. */
    public void setMlpObserver(MlpObserver observer) {
        this.mlpObserver = observer;
    }

    /** Parameter name of layer i's {@code fc2} weight, the text-encoder pruning site. */
    public static String fc2WeightName(int layer) {
        return "text_model.encoder.layers." + layer + ".mlp.fc2.weight";
    }

    /**
     * Encodes token ids [batch][seq] and returns the hidden states: index 0 the embeddings,
     * index i the output of layer i, and last the final-layer-normed {@code last_hidden_state}.
     * Arrays belong to {@code manager}.
     */
    public NDList hiddenStates(NDManager manager, int[][] ids) {
        int batch = ids.length;
        int seq = ids[0].length;
        if (seq > config.maxPositions()) {
            throw new IllegalArgumentException(seq + " tokens exceed max_position_embeddings " + config.maxPositions());
        }
        long[] flat = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                int id = ids[b][s];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + config.vocabSize());
                }
                flat[b * seq + s] = id;
            }
        }
        NDList out = new NDList();
        try (NDManager scope = manager.newSubManager()) {
            NDArray idx = scope.create(flat);
            NDArray tok = tokenEmbedding.get(new NDIndex("{}", idx));
            tok.attach(scope);
            NDArray pos = positionEmbedding.get(new NDIndex("0:" + seq));
            pos.attach(scope);
            NDArray x = tok.reshape(batch, seq, config.hidden()).add(pos);
            NDArray mask = causalMask(scope, seq);
            out.add(x);
            for (int i = 0; i < layers.size(); i++) {
                x = layer(i, x, mask);
                out.add(x);
            }
            out.add(finalNorm.forward(x));
            out.attach(manager);
        }
        return out;
    }

    /** The {@code last_hidden_state} for token ids, as the SD pipeline uses it; owned by {@code manager}. */
    public NDArray encode(NDManager manager, int[][] ids) {
        return encode(manager, ids, 0);
    }

    /**
     * Text states with "clip skip": 0 = the last layer's output, k = the output k layers
     * earlier; the final layer norm is applied in both cases, as diffusers does.
     */
    public NDArray encode(NDManager manager, int[][] ids, int clipSkip) {
        if (clipSkip < 0 || clipSkip >= config.layers()) {
            throw new IllegalArgumentException("clip skip must be in [0, " + config.layers() + ")");
        }
        try (NDManager scope = manager.newSubManager()) {
            NDList hs = hiddenStates(scope, ids);
            NDArray result = clipSkip == 0 ? hs.get(hs.size() - 1) : finalNorm.forward(hs.get(config.layers() - clipSkip));
            result.attach(manager);
            return result;
        }
    }

    private NDArray layer(int index, NDArray x, NDArray mask) {
        Layer l = layers.get(index);
        NDArray h = l.norm1.forward(x);
        float scale = (float) Math.pow(config.hidden() / (double) config.heads(), -0.5);
        NDArray attn = Ops.attention(l.q.forward(h), l.k.forward(h), l.v.forward(h), config.heads(), scale, mask);
        NDArray x1 = x.add(l.out.forward(attn));
        NDArray m = l.fc1.forward(l.norm2.forward(x1));
        NDArray act = config.hiddenAct().equals("gelu") ? Ops.gelu(m) : Ops.quickGelu(m);
        if (mlpObserver != null) {
            mlpObserver.onFc2Input(index, act);
        }
        return x1.add(l.fc2.forward(act));
    }

    private static NDArray causalMask(NDManager m, int seq) {
        float[] mask = new float[seq * seq];
        for (int i = 0; i < seq; i++) {
            for (int j = i + 1; j < seq; j++) {
                mask[i * seq + j] = -Float.MAX_VALUE;
            }
        }
        return m.create(mask, new Shape(seq, seq));
    }
}
