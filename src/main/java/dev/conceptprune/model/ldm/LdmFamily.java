package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import java.util.List;

/**
 * The single-file families this converter reads, with the conventions the file does not store
 * (they live in the original training configs).
 */
public enum LdmFamily {
    /** SD 1.x: CLIP ViT-L text encoder in Hugging Face names, 8 heads per UNet block, 1x1-conv projections. */
    SD1("SD 1.x", "cond_stage_model.transformer.", null, 512),
    /** SD 2.x: OpenCLIP text encoder (penultimate block), 64-wide UNet heads, linear projections. */
    SD2("SD 2.x", "cond_stage_model.model.", null, 768),
    /**
     * SDXL base (the SGM layout): CLIP ViT-L in Hugging Face names and OpenCLIP ViT-bigG (every
     * block, with its projection) as the second encoder, 64-wide UNet heads, {@code text_time}
     * added conditions.
     */
    SDXL("SDXL", "conditioner.embedders.0.transformer.", "conditioner.embedders.1.model.", 1024);

    /** Where every family stores the UNet. */
    public static final String UNET_PREFIX = "model.diffusion_model.";
    /** Where every family stores the VAE. */
    public static final String VAE_PREFIX = "first_stage_model.";

    private final String label;
    private final String textPrefix;
    private final String text2Prefix;
    private final int imageSize;

    LdmFamily(String label, String textPrefix, String text2Prefix, int imageSize) {
        this.label = label;
        this.textPrefix = textPrefix;
        this.text2Prefix = text2Prefix;
        this.imageSize = imageSize;
    }

    /** How messages name the family. */
    public String label() {
        return label;
    }

    /** The stored-name prefix of the (first) text encoder. */
    public String textPrefix() {
        return textPrefix;
    }

    /** The model parts a single file of this family holds, in the file's conventional order. */
    public List<Component> components() {
        return text2Prefix == null ? List.of(Component.UNET, Component.VAE, Component.TEXT_ENCODER)
                : List.of(Component.UNET, Component.VAE, Component.TEXT_ENCODER, Component.TEXT_ENCODER_2);
    }

    /** The tokenizers a model of this family needs: one per text encoder. */
    public List<Component> tokenizers() {
        return text2Prefix == null ? List.of(Component.TOKENIZER) : List.of(Component.TOKENIZER, Component.TOKENIZER_2);
    }

    /** True when the text encoder holding {@code c}'s weights is OpenCLIP's layout (fused q;k;v, resblocks). */
    boolean openClip(Component c) {
        return c == Component.TEXT_ENCODER_2 || c == Component.TEXT_ENCODER && this == SD2;
    }

    /** The component's prefix in the file. */
    public String prefix(Component c) {
        if (!components().contains(c)) {
            throw new IllegalArgumentException(label + " single files hold no " + c);
        }
        return switch (c) {
            case UNET -> UNET_PREFIX;
            case VAE -> VAE_PREFIX;
            case TEXT_ENCODER -> textPrefix;
            default -> text2Prefix;
        };
    }

    /** The image side the family was trained at (512 for SD 1.x, 768 for SD 2.1, 1024 for SDXL), diffusers' default. */
    public int imageSize() {
        return imageSize;
    }
}
