package dev.conceptprune.pipeline;

import dev.conceptprune.io.InputException;

/**
 * What SDXL conditions on besides the prompt pair: the texts for its second encoder and the
 * size conditions of its {@code time_ids}. Every null takes diffusers' default.
 *
 * @param prompt2 {@code prompt_2} for text_encoder_2; null: the prompt
 * @param negativePrompt2 {@code negative_prompt_2}; null: the negative prompt
 * @param originalSize (height, width) the image is said to come from; null: the image size
 * @param cropTopLeft (top, left) of the crop it is said to be; null: 0, 0
 * @param targetSize (height, width) asked for; null: the image size
 */
public record SdxlConditions(String prompt2, String negativePrompt2, int[] originalSize, int[] cropTopLeft,
                             int[] targetSize) {
    /** Every default. */
    public static final SdxlConditions NONE = new SdxlConditions(null, null, null, null, null);

    /** Checks the pairs a user can get wrong. */
    public SdxlConditions {
        originalSize = pair("original size", originalSize, 1);
        cropTopLeft = pair("crop top-left", cropTopLeft, 0);
        targetSize = pair("target size", targetSize, 1);
    }

    /** True when nothing differs from the defaults, i.e. nothing SDXL-only was asked for. */
    public boolean isDefault() {
        return prompt2 == null && negativePrompt2 == null && originalSize == null && cropTopLeft == null
                && targetSize == null;
    }

    /** The conditions in one line, to key work done with them (empty when every one is the default). */
    public String key() {
        if (isDefault()) {
            return "";
        }
        return "prompt_2=" + prompt2 + "|negative_prompt_2=" + negativePrompt2 + "|original_size="
                + java.util.Arrays.toString(originalSize) + "|crop_top_left=" + java.util.Arrays.toString(cropTopLeft)
                + "|target_size=" + java.util.Arrays.toString(targetSize);
    }

    /**
     * diffusers' {@code add_time_ids} of an image of {@code height} x {@code width}: original size,
     * crop top-left, target size.
     */
    public float[] timeIds(int height, int width) {
        int[] original = originalSize != null ? originalSize : new int[] {height, width};
        int[] crop = cropTopLeft != null ? cropTopLeft : new int[] {0, 0};
        int[] target = targetSize != null ? targetSize : new int[] {height, width};
        return new float[] {original[0], original[1], crop[0], crop[1], target[0], target[1]};
    }

    private static int[] pair(String what, int[] values, int min) {
        if (values == null) {
            return null;
        }
        if (values.length != 2 || values[0] < min || values[1] < min) {
            throw new InputException(what + " must be two integers >= " + min + ", got "
                    + java.util.Arrays.toString(values));
        }
        return values.clone();
    }
}
