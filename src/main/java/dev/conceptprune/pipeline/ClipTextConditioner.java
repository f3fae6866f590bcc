package dev.conceptprune.pipeline;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.clip.ClipTokenizer;
import dev.conceptprune.unet.UNetConditioning;
import java.util.List;

/**
 * SD 1.x/2.x conditioning: one tokenizer and one CLIP text encoder.
 *
 * @param clipSkip 0 for the last layer's states, k for those k layers earlier (see {@link ClipTextModel})
 */
public record ClipTextConditioner(ClipTokenizer tokenizer, ClipTextModel encoder, int clipSkip)
        implements TextConditioner {

    @Override
    public int width() {
        return encoder.config().hidden();
    }

    @Override
    public String widthSource() {
        return "text_encoder hidden_size";
    }

    @Override
    public UNetConditioning encode(NDManager m, List<String> texts) {
        int[][] ids = new int[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenizer.encode(texts.get(i));
        }
        return UNetConditioning.text(encoder.encode(m, ids, clipSkip));
    }
}
