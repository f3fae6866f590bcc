package dev.conceptprune.pipeline;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The UNet batch of classifier-free guidance as diffusers lays it out: for n images, rows
 * 0..n-1 are the unconditional ones (the negative prompt), rows n..2n-1 the conditional ones
 * (the prompts), row n + i belonging to the same image as row i. Without guidance (scale
 * {@code <= 1}) the batch is the conditional rows alone. SDXL's second encoder reads its own
 * texts ({@code prompt_2}, {@code negative_prompt_2}), by default the same.
 */
public final class GuidanceBatch {
    private final List<String> prompts;
    private final String negativePrompt;
    private final double scale;
    private final String prompt2;
    private final String negativePrompt2;

    /** @param scale the guidance scale; above 1 the batch holds the unconditional rows too */
    public GuidanceBatch(List<String> prompts, String negativePrompt, double scale) {
        this(prompts, negativePrompt, scale, null, null);
    }

    /**
     * @param prompt2 the second encoder's text of every conditional row; null: each row's prompt
     * @param negativePrompt2 the second encoder's text of the unconditional rows; null: the negative prompt
     */
    public GuidanceBatch(List<String> prompts, String negativePrompt, double scale, String prompt2,
                         String negativePrompt2) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("a guidance batch needs at least one prompt");
        }
        this.prompts = List.copyOf(prompts);
        this.negativePrompt = negativePrompt;
        this.scale = scale;
        this.prompt2 = prompt2;
        this.negativePrompt2 = negativePrompt2;
    }

    /** The batch for {@code prompts} with the negative prompts, second prompt and guidance scale of {@code s}. */
    public static GuidanceBatch of(List<String> prompts, GenerationSettings s) {
        return new GuidanceBatch(prompts, s.negativePrompt(), s.guidance(), s.sdxl().prompt2(),
                s.sdxl().negativePrompt2());
    }

    public boolean guided() {
        return scale > 1.0;
    }

    /** Number of images (= conditional rows). */
    public int images() {
        return prompts.size();
    }

    /** Number of UNet batch rows. */
    public int rows() {
        return guided() ? 2 * images() : images();
    }

    public List<String> prompts() {
        return prompts;
    }

    public String negativePrompt() {
        return negativePrompt;
    }

    /** The text each row is conditioned on, in row order. */
    public List<String> texts() {
        List<String> texts = new ArrayList<>();
        if (guided()) {
            texts.addAll(Collections.nCopies(images(), negativePrompt));
        }
        texts.addAll(prompts);
        return texts;
    }

    /** The text the second encoder reads for each row, in row order (SDXL). */
    public List<String> secondTexts() {
        List<String> texts = new ArrayList<>();
        if (guided()) {
            texts.addAll(Collections.nCopies(images(), negativePrompt2 != null ? negativePrompt2 : negativePrompt));
        }
        texts.addAll(prompt2 != null ? Collections.nCopies(images(), prompt2) : prompts);
        return texts;
    }

    /**
     * True when no negative prompt was given to either encoder (both empty): SDXL's
     * {@code force_zeros_for_empty_prompt} then conditions the unconditional rows on zeros.
     */
    public boolean negativeAbsent() {
        return (negativePrompt == null || negativePrompt.isEmpty())
                && (negativePrompt2 == null || negativePrompt2.isEmpty());
    }

    /** A value per image spread over the rows: both rows of an image get the image's value. */
    public int[] perRow(int[] perImage) {
        if (perImage.length != images()) {
            throw new IllegalArgumentException(perImage.length + " values for " + images() + " images");
        }
        int[] rows = new int[rows()];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = perImage[r % images()];
        }
        return rows;
    }

    /** The UNet input for latents [n, C, H, W]: the latents once per half of the batch. */
    public NDArray input(NDArray latents) {
        return guided() ? latents.concat(latents, 0) : latents;
    }

    /**
     * The guided noise prediction {@code uncond + scale * (cond - uncond)} from the UNet's output
     * over all rows, as flat NCHW values of the n images.
     */
    public float[] guide(NDArray noise) {
        if (!guided()) {
            return noise.toFloatArray();
        }
        int n = images();
        NDArray uncond = noise.get("0:" + n);
        NDArray cond = noise.get(n + ":");
        return uncond.add(cond.sub(uncond).mul((float) scale)).toFloatArray();
    }
}
