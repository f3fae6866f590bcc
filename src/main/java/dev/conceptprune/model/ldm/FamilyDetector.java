package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Tells SD 1.x, SD 2.x and SDXL base single files apart by their keys, and refuses everything else
 * with a message that says what the file was recognised as.
 */
final class FamilyDetector {
    private static final String UNET = LdmFamily.UNET_PREFIX;
    private static final String SUPPORTED = "only SD 1.x, SD 2.x and SDXL base text-to-image checkpoints can be read";

    private FamilyDetector() {
    }

    static LdmFamily detect(TensorShapes s) {
        boolean sgm = s.anyStartsWith("conditioner.embedders.");
        if (sgm && !isSdxlBase(s)) {
            throw refuse(sdxlKind(s));
        }
        if (!s.anyStartsWith(UNET)) {
            throw refuse(sgm ? "SDXL text encoders without a UNet (no " + UNET + " tensors)" : unknownKind(s));
        }
        if (!sgm && s.anyStartsWith(UNET + "label_emb.")) {
            throw refuse("a class-conditioned UNet (" + UNET + "label_emb.: the x4 upscaler or unCLIP)");
        }
        if (sgm && !s.has(UNET + "label_emb.0.0.weight")) {
            throw refuse("an SDXL-style checkpoint whose UNet has no added-condition embedding (" + UNET
                    + "label_emb.0.0)");
        }
        LdmFamily family = sgm ? LdmFamily.SDXL : textFamily(s);
        int inChannels = s.dim(UNET + "input_blocks.0.0.weight", 1);
        if (inChannels == 9) {
            throw refuse("an " + family.label() + " inpainting checkpoint (9 UNet input channels)");
        }
        if (inChannels != 4) {
            throw refuse("an " + family.label() + "-like checkpoint whose UNet takes " + inChannels
                    + " input channels (4 expected; 9 is inpainting, 7 the x4 upscaler)");
        }
        if (!s.anyStartsWith(LdmFamily.VAE_PREFIX)) {
            throw refuse("an " + family.label() + " UNet and text encoder without a VAE (no "
                    + LdmFamily.VAE_PREFIX + " tensors)");
        }
        return family;
    }

    private static LdmFamily textFamily(TensorShapes s) {
        if (s.anyStartsWith(LdmFamily.SD1.textPrefix())) {
            return LdmFamily.SD1;
        }
        if (s.anyStartsWith(LdmFamily.SD2.textPrefix())) {
            return LdmFamily.SD2;
        }
        throw refuse("a UNet under " + UNET + " without a known text encoder (neither "
                + LdmFamily.SD1.textPrefix() + " for SD 1.x nor " + LdmFamily.SD2.textPrefix() + " for SD 2.x)");
    }

    /** SDXL base: CLIP ViT-L in Hugging Face names first, OpenCLIP ViT-bigG second. */
    private static boolean isSdxlBase(TensorShapes s) {
        return s.anyStartsWith(LdmFamily.SDXL.prefix(Component.TEXT_ENCODER))
                && s.anyStartsWith(LdmFamily.SDXL.prefix(Component.TEXT_ENCODER_2));
    }

    private static String sdxlKind(TensorShapes s) {
        return s.anyStartsWith("conditioner.embedders.0.model.")
                ? "an SDXL refiner checkpoint (its first text encoder, conditioner.embedders.0.model., is OpenCLIP;"
                        + " SDXL base has CLIP ViT-L there)"
                : "an SDXL-style checkpoint (text encoders under conditioner.embedders., but not SDXL base's"
                        + " conditioner.embedders.0.transformer. and conditioner.embedders.1.model.)";
    }

    private static String unknownKind(TensorShapes s) {
        if (s.anyStartsWith("control_model.")) {
            return "a ControlNet (control_model.)";
        }
        if (s.anyStartsWith("down_blocks.") || s.anyStartsWith("encoder.down_blocks.")
                || s.anyStartsWith("text_model.")) {
            return "a single diffusers component file, not a whole checkpoint (give its model folder instead)";
        }
        return "an unknown model: no UNet under " + UNET + "; top-level names: " + topLevel(s);
    }

    private static String topLevel(TensorShapes s) {
        Map<String, Long> counts = new TreeMap<>(s.names().stream()
                .collect(Collectors.groupingBy(n -> n.contains(".") ? n.substring(0, n.indexOf('.') + 1) : n,
                        Collectors.counting())));
        String listed = counts.entrySet().stream().limit(8).map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
        return counts.isEmpty() ? "none" : listed + (counts.size() > 8 ? ", ..." : "");
    }

    private static UnsupportedCheckpointException refuse(String recognised) {
        return new UnsupportedCheckpointException("recognised " + recognised + "; " + SUPPORTED);
    }
}
