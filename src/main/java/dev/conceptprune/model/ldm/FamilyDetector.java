package dev.conceptprune.model.ldm;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Tells SD 1.x from SD 2.x single files by their keys, and refuses everything else with a message
 * that says what the file was recognised as.
 */
final class FamilyDetector {
    private static final String UNET = LdmFamily.UNET_PREFIX;
    private static final String SUPPORTED = "only SD 1.x and SD 2.x text-to-image checkpoints can be read";

    private FamilyDetector() {
    }

    static LdmFamily detect(TensorShapes s) {
        if (s.anyStartsWith("conditioner.embedders.")) {
            throw refuse("an " + sdxlKind(s) + " checkpoint (text encoders under conditioner.embedders.)");
        }
        if (!s.anyStartsWith(UNET)) {
            throw refuse(unknownKind(s));
        }
        if (s.anyStartsWith(UNET + "label_emb.")) {
            throw refuse("a class-conditioned UNet (" + UNET + "label_emb.: SDXL, the x4 upscaler or unCLIP)");
        }
        LdmFamily family = textFamily(s);
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

    private static String sdxlKind(TensorShapes s) {
        if (s.anyStartsWith("conditioner.embedders.1.")) {
            return "SDXL base";
        }
        return s.has("conditioner.embedders.0.model.text_projection") ? "SDXL refiner" : "SDXL-style";
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
