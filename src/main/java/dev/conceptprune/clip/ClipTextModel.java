package dev.conceptprune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.nn.LayerNorm;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Params;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's text transformer (transformers' {@code CLIPTextModel}, or {@code CLIPTextModelWithProjection}
 * when the weights hold {@code text_projection}): token and position embeddings, pre-LN layers
 * with a causal mask, final layer norm; pooling at the end-of-text token. Weights live in the
 * manager they were loaded into; every forward call works in a sub-manager of the caller's.
 */
public final class ClipTextModel {
    /** Parameter name prefix of the optional projection into a joint embedding space. */
    private static final String PROJECTION = "text_projection";

    private final ClipTextConfig config;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear projection;

    /** Sees the input of every layer's {@code mlp.fc2} (the activation after fc1), valid during the call only. */
    @FunctionalInterface
    public interface MlpObserver {
        void onFc2Input(int layer, NDArray activation);
    }

    private MlpObserver mlpObserver;

    /** Loads from parameters named {@code text_model.*}, without a projection. */
    public ClipTextModel(ClipTextConfig config, Params params) {
        this(config, params, false);
    }

    /**
     * Loads from parameters named {@code text_model.*} and, if {@code withProjection},
     * {@code text_projection.weight} [projection_dim, hidden].
     */
    public ClipTextModel(ClipTextConfig config, Params params, boolean withProjection) {
        this.config = config;
        Params p = params.sub("text_model");
        long h = config.hidden();
        tokenEmbedding = p.get("embeddings.token_embedding.weight", config.vocabSize(), h);
        positionEmbedding = p.get("embeddings.position_embedding.weight", config.maxPositions(), h);
        for (int i = 0; i < config.layers(); i++) {
            layers.add(new ClipEncoderLayer(p.sub("encoder.layers." + i), i, config.hidden(), config.intermediate(),
                    config.heads(), config.layerNormEps(), config.hiddenAct()));
        }
        finalNorm = LayerNorm.load(p, "final_layer_norm", h, config.layerNormEps());
        projection = withProjection ? Linear.load(params, PROJECTION, h, config.projectionDim(), false) : null;
    }

    /**
     * Loads the {@code text_encoder} weights of a model for {@code runtime} into {@code manager}
     * (one the runtime made), with its projection when the weights have one.
     */
    public static ClipTextModel load(ModelSource source, ClipTextConfig config, Runtime runtime, NDManager manager) {
        return load(source, Component.TEXT_ENCODER, config, runtime, manager);
    }

    /**
     * As {@link #load(ModelSource, ClipTextConfig, Runtime, NDManager)} for another text encoder
     * (SDXL's {@code text_encoder_2}).
     */
    public static ClipTextModel load(ModelSource source, Component component, ClipTextConfig config, Runtime runtime,
                                     NDManager manager) {
        try (TensorSource store = source.tensors(component)) {
            return new ClipTextModel(config, new Params(store, runtime, manager), store.has(PROJECTION + ".weight"));
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

    /** The token embedding table [vocab, hidden]; the model's own array, not to be closed or changed. */
    public NDArray tokenEmbeddingTable() {
        return tokenEmbedding;
    }

    /**
     * The token embeddings [batch, seq, hidden] of token ids [batch][seq], without the position
     * embeddings; owned by {@code manager}.
     */
    public NDArray tokenEmbeddings(NDManager manager, int[][] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("no token ids to encode");
        }
        int batch = ids.length;
        int seq = ids[0].length;
        long[] flat = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            if (ids[b].length != seq) {
                throw new IllegalArgumentException("token rows differ in length: " + ids[b].length + " vs " + seq);
            }
            for (int s = 0; s < seq; s++) {
                int id = ids[b][s];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary of "
                            + config.vocabSize());
                }
                flat[b * seq + s] = id;
            }
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray idx = scope.create(flat);
            NDArray tok = tokenEmbedding.get(new NDIndex("{}", idx));
            tok.attach(scope);
            NDArray embeddings = tok.reshape(batch, seq, config.hidden());
            embeddings.attach(manager);
            return embeddings;
        }
    }

    /**
     * Encodes token ids [batch][seq] and returns the hidden states: index 0 the embeddings,
     * index i the output of layer i, and last the final-layer-normed {@code last_hidden_state}.
     * Arrays belong to {@code manager}.
     */
    public NDList hiddenStates(NDManager manager, int[][] ids) {
        try (NDManager scope = manager.newSubManager()) {
            return hiddenStates(manager, tokenEmbeddings(scope, ids));
        }
    }

    /**
     * As {@link #hiddenStates(NDManager, int[][])} from token embeddings [batch, seq, hidden]
     * supplied by the caller (e.g. {@link #tokenEmbeddings} perturbed); the position embeddings
     * are added here. Arrays belong to {@code manager}; {@code embeddings} stays the caller's.
     */
    public NDList hiddenStates(NDManager manager, NDArray embeddings) {
        Shape shape = embeddings.getShape();
        if (shape.dimension() != 3 || shape.get(2) != config.hidden()) {
            throw new IllegalArgumentException("input embeddings must be [batch, seq, " + config.hidden() + "], got "
                    + shape);
        }
        int seq = Math.toIntExact(shape.get(1));
        if (seq > config.maxPositions()) {
            throw new IllegalArgumentException(seq + " tokens exceed max_position_embeddings " + config.maxPositions());
        }
        NDList out = new NDList();
        try (NDManager scope = manager.newSubManager()) {
            embeddings.tempAttach(scope);
            NDArray pos = positionEmbedding.get(new NDIndex("0:" + seq));
            pos.attach(scope);
            NDArray x = embeddings.add(pos);
            NDArray mask = causalMask(scope, seq);
            out.add(x);
            for (ClipEncoderLayer layer : layers) {
                x = layer.forward(x, mask, mlpObserver);
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
            NDArray result = clipSkip == 0 ? lastHiddenState(hs)
                    : finalNorm.forward(hs.get(config.layers() - clipSkip));
            result.attach(manager);
            return result;
        }
    }

    /**
     * The penultimate layer's output as SDXL conditions on it (diffusers' {@code hidden_states[-2]}):
     * not final-layer-normed; owned by {@code manager}.
     */
    public NDArray penultimate(NDManager manager, int[][] ids) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray result = penultimateHiddenState(hiddenStates(scope, ids));
            result.attach(manager);
            return result;
        }
    }

    /** The final-layer-normed {@code last_hidden_state} among {@link #hiddenStates} (their last entry). */
    public NDArray lastHiddenState(NDList hiddenStates) {
        return hiddenStates.get(hiddenStates.size() - 1);
    }

    /** The penultimate layer's output among {@link #hiddenStates}, not final-layer-normed. */
    public NDArray penultimateHiddenState(NDList hiddenStates) {
        return hiddenStates.get(config.layers() - 1);
    }

    /** The pooled output [batch, hidden] (transformers' {@code pooler_output}) of token ids; owned by {@code m}. */
    public NDArray pooled(NDManager m, int[][] ids) {
        try (NDManager scope = m.newSubManager()) {
            NDArray result = pool(encode(scope, ids), ids);
            result.attach(m);
            return result;
        }
    }

    /**
     * The rows of {@code lastHiddenState} [batch, seq, hidden] at each sequence's pooling
     * position ({@link #poolIndex}): [batch, hidden], owned by the states' manager.
     */
    public NDArray pool(NDArray lastHiddenState, int[][] ids) {
        int seq = Math.toIntExact(lastHiddenState.getShape().get(1));
        long[] rows = new long[ids.length];
        for (int b = 0; b < ids.length; b++) {
            rows[b] = (long) b * seq + poolIndex(ids[b]);
        }
        NDManager caller = lastHiddenState.getManager();
        try (NDManager scope = caller.newSubManager()) {
            NDArray flat = lastHiddenState.reshape(-1, config.hidden());
            flat.attach(scope);
            NDArray pooled = flat.get(new NDIndex("{}", scope.create(rows)));
            pooled.attach(caller);
            return pooled;
        }
    }

    /**
     * transformers' pooling position: the first largest id for legacy configs (eos id 2), else
     * the first eos token, or position 0 when there is none (argmax of an all-false mask).
     */
    public int poolIndex(int[] ids) {
        if (config.poolsAtLargestId()) {
            int best = 0;
            for (int i = 1; i < ids.length; i++) {
                if (ids[i] > ids[best]) {
                    best = i;
                }
            }
            return best;
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == config.eosTokenId()) {
                return i;
            }
        }
        return 0;
    }

    /** True when the weights had {@code text_projection}. */
    public boolean hasProjection() {
        return projection != null;
    }

    /** Projects pooled outputs [batch, hidden] to [batch, projection_dim]; owned by the input's manager. */
    public NDArray project(NDArray pooled) {
        if (projection == null) {
            throw new IllegalStateException("this text model has no text_projection");
        }
        return projection.forward(pooled);
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
