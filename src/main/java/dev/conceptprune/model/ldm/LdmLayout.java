package dev.conceptprune.model.ldm;

/**
 * What a single file is: its family and the structure of its three components, all read from
 * tensor names and shapes.
 */
public record LdmLayout(LdmFamily family, UNetLayout unet, VaeLayout vae, TextLayout text) {

    /**
     * Detects the family and reads the structure.
     *
     * @throws UnsupportedCheckpointException for files that are not SD 1.x/2.x text-to-image
     *         checkpoints (inpainting, SDXL, refiners, unknown), saying what was recognised
     */
    public static LdmLayout infer(TensorShapes shapes) {
        LdmFamily family = FamilyDetector.detect(shapes);
        return new LdmLayout(family, UNetLayout.infer(shapes), VaeLayout.infer(shapes),
                TextLayout.infer(family, shapes));
    }
}
