package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import java.util.List;

/**
 * The single-file families this converter reads, with the conventions the file does not store
 * (they live in the original training configs).
 */
public enum LdmFamily {
    /** SD 1.x: CLIP ViT-L text encoder in Hugging Face names, 8 heads per UNet block, 1x1-conv projections. */
    SD1("SD 1.x", "cond_stage_model.transformer.", 512),
    /** SD 2.x: OpenCLIP text encoder (penultimate block), 64-wide UNet heads, linear projections. */
    SD2("SD 2.x", "cond_stage_model.model.", 768);

    /** Where every family stores the UNet. */
    public static final String UNET_PREFIX = "model.diffusion_model.";
    /** Where every family stores the VAE. */
    public static final String VAE_PREFIX = "first_stage_model.";
    /** The model parts a single-file checkpoint holds. */
    public static final List<Component> COMPONENTS = List.of(Component.UNET, Component.VAE, Component.TEXT_ENCODER);

    private final String label;
    private final String textPrefix;
    private final int imageSize;

    LdmFamily(String label, String textPrefix, int imageSize) {
        this.label = label;
        this.textPrefix = textPrefix;
        this.imageSize = imageSize;
    }

    /** How messages name the family. */
    public String label() {
        return label;
    }

    /** The stored-name prefix of the text encoder. */
    public String textPrefix() {
        return textPrefix;
    }

    /** The component's prefix in the file. */
    public String prefix(Component c) {
        return switch (c) {
            case UNET -> UNET_PREFIX;
            case VAE -> VAE_PREFIX;
            case TEXT_ENCODER -> textPrefix;
            default -> throw new IllegalArgumentException("a single-file checkpoint holds no " + c);
        };
    }

    /** The image side the family was trained at (512 for SD 1.x, 768 for SD 2.1), diffusers' default. */
    public int imageSize() {
        return imageSize;
    }
}
