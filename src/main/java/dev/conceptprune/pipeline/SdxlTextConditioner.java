package dev.conceptprune.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.conceptprune.clip.ClipTextConfig;
import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.clip.ClipTokenizer;
import dev.conceptprune.io.WeightFormatException;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.unet.UNetConditioning;
import java.util.List;

/**
 * SDXL conditioning, as diffusers' {@code StableDiffusionXLPipeline.encode_prompt}: two tokenizers
 * and CLIP text encoders; the text states are both encoders' penultimate hidden states (no final
 * layer norm) concatenated on the last axis, the pooled embedding is encoder 2's projected
 * end-of-text state ({@code text_embeds}). The time ids are the pipeline's: they depend on the
 * image size, not on the text.
 *
 * @param forceZerosForEmptyPrompt without a negative prompt, condition the unconditional rows on
 *        zeros (text states and pooled) instead of on the encoding of ""
 * @param clipSkip 0 for the penultimate layer's states, k for those k layers earlier (diffusers'
 *        {@code hidden_states[-(clip_skip + 2)]}); the pooled embedding always comes from the last layer
 */
public record SdxlTextConditioner(ClipTokenizer tokenizer, ClipTextModel encoder, ClipTokenizer tokenizer2,
                                  ClipTextModel encoder2, boolean forceZerosForEmptyPrompt, int clipSkip)
        implements TextConditioner {

    public SdxlTextConditioner {
        if (!encoder2.hasProjection()) {
            throw new IllegalArgumentException("SDXL's second text encoder needs its text_projection");
        }
        if (tokenizer.maxLength() != tokenizer2.maxLength()) {
            throw new IllegalArgumentException("the tokenizers pad to " + tokenizer.maxLength() + " and "
                    + tokenizer2.maxLength() + " tokens; their states cannot be concatenated");
        }
        int layers = Math.min(encoder.config().layers(), encoder2.config().layers());
        if (clipSkip < 0 || clipSkip >= layers) {
            throw new IllegalArgumentException("clip skip must be in [0, " + layers + ")");
        }
    }

    /**
     * Loads both tokenizers and text encoders of an SDXL model into {@code manager} (one the runtime
     * made); refuses a second encoder without its {@code text_projection}.
     */
    public static SdxlTextConditioner load(ModelSource source, Runtime runtime, NDManager manager) {
        ClipTokenizer tokenizer = ClipTokenizer.load(source, Component.TOKENIZER);
        ClipTokenizer tokenizer2 = ClipTokenizer.load(source, Component.TOKENIZER_2);
        ClipTextModel encoder = ClipTextModel.load(source, ClipTextConfig.from(source.config(Component.TEXT_ENCODER)),
                runtime, manager);
        ClipTextModel encoder2 = ClipTextModel.load(source, Component.TEXT_ENCODER_2,
                ClipTextConfig.from(source.config(Component.TEXT_ENCODER_2)), runtime, manager);
        if (!encoder2.hasProjection()) {
            throw new WeightFormatException(source.location(), "text_encoder_2 has no text_projection.weight, which"
                    + " SDXL's pooled text embedding needs");
        }
        if (tokenizer.maxLength() != tokenizer2.maxLength()) {
            throw new WeightFormatException(source.location(), "tokenizer pads to " + tokenizer.maxLength()
                    + " tokens but tokenizer_2 to " + tokenizer2.maxLength() + ": components do not belong together");
        }
        return new SdxlTextConditioner(tokenizer, encoder, tokenizer2, encoder2, source.forceZerosForEmptyPrompt(), 0);
    }

    @Override
    public int width() {
        return encoder.config().hidden() + encoder2.config().hidden();
    }

    @Override
    public String widthSource() {
        return "text_encoder + text_encoder_2 hidden_size";
    }

    /** Width of the pooled embedding: text_encoder_2's projection_dim. */
    public int pooledWidth() {
        return encoder2.config().projectionDim();
    }

    /** Each text read by both encoders, one row each; owned by {@code m}. */
    @Override
    public UNetConditioning encode(NDManager m, List<String> texts) {
        return encode(m, texts, texts);
    }

    /** With zeroed negatives only the conditional rows pass through the encoders. */
    @Override
    public int[] encodedRows(GuidanceBatch batch) {
        if (!zeroesNegatives(batch)) {
            return TextConditioner.super.encodedRows(batch);
        }
        return java.util.stream.IntStream.range(batch.images(), 2 * batch.images()).toArray();
    }

    private boolean zeroesNegatives(GuidanceBatch batch) {
        return batch.guided() && batch.negativeAbsent() && forceZerosForEmptyPrompt;
    }

    @Override
    public UNetConditioning encode(NDManager m, GuidanceBatch batch) {
        if (!zeroesNegatives(batch)) {
            return encode(m, batch.texts(), batch.secondTexts());
        }
        int n = batch.images();
        List<String> cond = batch.texts().subList(n, 2 * n);
        List<String> cond2 = batch.secondTexts().subList(n, 2 * n);
        try (NDManager scope = m.newSubManager()) {
            UNetConditioning c = encode(scope, cond, cond2);
            NDArray states = scope.zeros(c.textStates().getShape()).concat(c.textStates(), 0);
            NDArray pooled = scope.zeros(c.pooledText().getShape()).concat(c.pooledText(), 0);
            states.attach(m);
            pooled.attach(m);
            return new UNetConditioning(states, pooled, null);
        }
    }

    private UNetConditioning encode(NDManager m, List<String> texts, List<String> texts2) {
        int[][] ids = tokenize(tokenizer, texts);
        int[][] ids2 = tokenize(tokenizer2, texts2);
        try (NDManager scope = m.newSubManager()) {
            NDList first = encoder.hiddenStates(scope, ids);
            NDList second = encoder2.hiddenStates(scope, ids2);
            NDArray a = first.get(encoder.config().layers() - 1 - clipSkip);
            NDArray b = second.get(encoder2.config().layers() - 1 - clipSkip);
            NDArray states = a.concat(b, 2);
            NDArray pooled = encoder2.project(encoder2.pool(encoder2.lastHiddenState(second), ids2));
            states.attach(m);
            pooled.attach(m);
            return new UNetConditioning(states, pooled, null);
        }
    }

    private static int[][] tokenize(ClipTokenizer tokenizer, List<String> texts) {
        int[][] ids = new int[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenizer.encode(texts.get(i));
        }
        return ids;
    }
}
