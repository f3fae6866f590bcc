package dev.conceptprune.pipeline;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.unet.UNetConditioning;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.io.WeightFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Turns prompts into what the UNet is conditioned on (SD: one CLIP text encoder). */
public interface TextConditioner {
    /** Width of the text states; the UNet's cross-attention must take it. */
    int width();

    /** Where {@link #width()} comes from, for messages (e.g. {@code text_encoder hidden_size}). */
    String widthSource();

    /** Conditioning with one row per text, in order; owned by {@code m}. */
    UNetConditioning encode(NDManager m, List<String> texts);

    /** Conditioning for every row of a guidance batch, in its row order; owned by {@code m}. */
    default UNetConditioning encode(NDManager m, GuidanceBatch batch) {
        return encode(m, batch.texts());
    }

    /**
     * The rows of a guidance batch that {@link #encode(NDManager, GuidanceBatch)} runs through the
     * text encoders, in the order they pass (observers of the encoders see only these): every row,
     * unless the conditioner makes some rows without them.
     */
    default int[] encodedRows(GuidanceBatch batch) {
        return java.util.stream.IntStream.range(0, batch.rows()).toArray();
    }

    /** Refuses a UNet whose cross-attention takes another width than this conditioner gives. */
    default void requireFits(UNetConfig unet, Path model) {
        Set<Integer> widths = unet.crossAttentionWidths();
        if (!widths.equals(Set.of(width()))) {
            Object expected = widths.size() == 1 ? widths.iterator().next() : widths;
            throw new WeightFormatException(model, widthSource() + " " + width()
                    + " does not match unet cross_attention_dim " + expected + ": components do not belong together");
        }
    }
}
