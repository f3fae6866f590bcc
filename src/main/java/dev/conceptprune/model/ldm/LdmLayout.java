package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;

/**
 * What a single file is: its family and the structure of its components, all read from tensor
 * names and shapes.
 *
 * @param text2 SDXL's second text encoder, or null for families with one
 */
public record LdmLayout(LdmFamily family, UNetLayout unet, VaeLayout vae, TextLayout text, TextLayout text2) {

    /**
     * Detects the family and reads the structure.
     *
     * @throws UnsupportedCheckpointException for files that are not SD 1.x/2.x or SDXL base
     *         text-to-image checkpoints (inpainting, refiners, unknown), saying what was recognised
     */
    public static LdmLayout infer(TensorShapes shapes) {
        LdmFamily family = FamilyDetector.detect(shapes);
        return new LdmLayout(family, UNetLayout.infer(shapes), VaeLayout.infer(shapes),
                TextLayout.infer(family, Component.TEXT_ENCODER, shapes),
                family == LdmFamily.SDXL
                        ? TextLayout.infer(family, Component.TEXT_ENCODER_2, shapes) : null);
    }

    /** The structure of text encoder {@code c} ({@link Component#TEXT_ENCODER} or {@link Component#TEXT_ENCODER_2}). */
    public TextLayout text(Component c) {
        return c == Component.TEXT_ENCODER_2 ? text2 : text;
    }
}
