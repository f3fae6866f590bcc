package dev.conceptprune.prune;

import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.io.InputException;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.unet.FeedForwardLayer;
import dev.conceptprune.model.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where the Wanda scores are taken and weights pruned. The paper prunes {@code ff.net.2} (the
 * default); its reference code also scores the input of {@code ff.net.0.proj}, the
 * cross-attention key/value projections (whose input, the text states, is the same at every
 * step) and the text encoder's MLP {@code fc2} (one pass, no timesteps). {@code attn2-kv} prunes the key
 * and the value projections together from the one observation they share (issue 18: with the matched
 * fill it lands erased prompts on the plain image).
 */
public enum PruneSite {
    FFN2("ffn2", "ff.net.2"),
    FFN1("ffn1", "ff.net.0.proj"),
    ATTN2_K("attn2-k", "attn2.to_k"),
    ATTN2_V("attn2-v", "attn2.to_v"),
    ATTN2_KV("attn2-kv", "attn2.to_k", "attn2.to_v"),
    TEXT_MLP("text-mlp", "mlp.fc2");

    private static final Pattern TEXT_FC2 = Pattern.compile("text_model\\.encoder\\.layers\\.\\d+\\.mlp\\.fc2\\.weight");

    private final String id;
    private final List<String> modules;

    PruneSite(String id, String... modules) {
        this.id = id;
        this.modules = List.of(modules);
    }

    /** The command-line name, e.g. {@code ffn2}. */
    public String id() {
        return id;
    }

    /** Parses a command-line name. */
    public static PruneSite parse(String s) {
        for (PruneSite p : values()) {
            if (p.id.equals(s.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new InputException("site must be one of ffn2, ffn1, attn2-k, attn2-v, attn2-kv, text-mlp; got '" + s
                + "'");
    }

    /** True when the site's weights read the text states (the cross-attention's key and value projections). */
    public boolean readsTextStates() {
        return this == ATTN2_K || this == ATTN2_V || this == ATTN2_KV;
    }

    /** True when the site's input changes with the denoising step (so tau matters). */
    public boolean timeDependent() {
        return this == FFN2 || this == FFN1;
    }

    /**
     * The observed layers in observation order, each with the weight it prunes: the UNet's in
     * execution order, or every text encoder's {@code mlp.fc2} (SDXL: {@code text_encoder}'s, then
     * {@code text_encoder_2}'s); {@code attn2-kv} lists each block's key projection, then its value
     * projection. SDXL conditions the UNet on encoder 1's penultimate states, so that
     * encoder's last layer is observed and masked as the others but does not change the images.
     */
    public List<SiteLayer> layers(StableDiffusionPipeline pipe) {
        List<SiteLayer> out = new ArrayList<>();
        if (this == TEXT_MLP) {
            pipe.textEncoders().forEach((component, encoder) -> {
                for (int i = 0; i < encoder.config().layers(); i++) {
                    out.add(new SiteLayer(component, ClipTextModel.fc2WeightName(i), encoder.config().intermediate()));
                }
            });
            return out;
        }
        // The text width first: with components taking turns, asking the conditioner releases the UNet.
        int textWidth = readsTextStates() ? pipe.conditioner().width() : 0;
        for (FeedForwardLayer l : pipe.unet().feedForwardLayers()) {
            String block = l.name().substring(0, l.name().length() - "ff.net.2".length());
            int width = switch (this) {
                case FFN2 -> l.inner();
                case FFN1 -> l.dim();
                default -> textWidth;
            };
            for (String module : modules) {
                out.add(new SiteLayer(Component.UNET, block + module + ".weight", width));
            }
        }
        return out;
    }

    /**
     * Whether {@code parameter} of {@code component} (a diffusers name) is a weight this site prunes: what
     * {@link #layers} lists, told from the name alone, for work that needs no pipeline.
     */
    public boolean prunes(Component component, String parameter) {
        if (this == TEXT_MLP) {
            return (component == Component.TEXT_ENCODER || component == Component.TEXT_ENCODER_2)
                    && TEXT_FC2.matcher(parameter).matches();
        }
        return component == Component.UNET && parameter.contains(".transformer_blocks.")
                && modules.stream().anyMatch(m -> parameter.endsWith("." + m + ".weight"));
    }

    /** Weight names of the pruned parameters, one per observed layer, in layer order. */
    public List<String> parameters(StableDiffusionPipeline pipe) {
        return layers(pipe).stream().map(SiteLayer::parameter).toList();
    }

    /** Input width of each observed layer (the columns of its weight). */
    public int[] widths(StableDiffusionPipeline pipe) {
        return layers(pipe).stream().mapToInt(SiteLayer::width).toArray();
    }
}
