package dev.conceptprune.prune;

import dev.conceptprune.io.InputException;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.unet.FeedForwardLayer;
import dev.conceptprune.model.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the Wanda scores are taken and weights pruned. The paper prunes {@code ff.net.2} (the
 * default); its reference code also scores the input of {@code ff.net.0.proj}, the
 * cross-attention key/value projections (whose input, the text states, is the same at every
 * step) and the text encoder's MLP {@code fc2} (one pass, no timesteps).
 */
public enum PruneSite {
    FFN2("ffn2", "ff.net.2"),
    FFN1("ffn1", "ff.net.0.proj"),
    ATTN2_K("attn2-k", "attn2.to_k"),
    ATTN2_V("attn2-v", "attn2.to_v"),
    TEXT_MLP("text-mlp", "mlp.fc2");

    private final String id;
    private final String module;

    PruneSite(String id, String module) {
        this.id = id;
        this.module = module;
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
        throw new InputException("site must be one of ffn2, ffn1, attn2-k, attn2-v, text-mlp; got '" + s + "'");
    }

    /** True when the site's input changes with the denoising step (so tau matters). */
    public boolean timeDependent() {
        return this == FFN2 || this == FFN1;
    }

    /** The component whose weights are pruned. */
    public Component component() {
        return this == TEXT_MLP ? Component.TEXT_ENCODER : Component.UNET;
    }

    /** Weight names of the pruned parameters, one per observed layer, in layer order. */
    public List<String> parameters(StableDiffusionPipeline pipe) {
        List<String> out = new ArrayList<>();
        if (this == TEXT_MLP) {
            for (int i = 0; i < pipe.textEncoder().config().layers(); i++) {
                out.add(dev.conceptprune.clip.ClipTextModel.fc2WeightName(i));
            }
            return out;
        }
        for (FeedForwardLayer l : pipe.unet().feedForwardLayers()) {
            out.add(l.name().substring(0, l.name().length() - "ff.net.2".length()) + module + ".weight");
        }
        return out;
    }

    /** Input width of each observed layer (the columns of its weight). */
    public int[] widths(StableDiffusionPipeline pipe) {
        List<FeedForwardLayer> layers = pipe.unet().feedForwardLayers();
        return switch (this) {
            case FFN2 -> layers.stream().mapToInt(FeedForwardLayer::inner).toArray();
            case FFN1 -> layers.stream().mapToInt(FeedForwardLayer::dim).toArray();
            case ATTN2_K, ATTN2_V -> layers.stream().mapToInt(l -> pipe.conditioner().width()).toArray();
            case TEXT_MLP -> java.util.Collections.nCopies(pipe.textEncoder().config().layers(),
                    pipe.textEncoder().config().intermediate()).stream().mapToInt(Integer::intValue).toArray();
        };
    }

    /** The name a mask file uses for a pruned parameter of this site. */
    public String maskKey(String parameter) {
        return this == TEXT_MLP ? PrunedModelWriter.TEXT_ENCODER_PREFIX + parameter : parameter;
    }
}
