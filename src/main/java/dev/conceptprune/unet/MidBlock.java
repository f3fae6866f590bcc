package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Params;
import dev.conceptprune.nn.ResnetBlock2D;
import java.util.List;

/** diffusers' {@code UNetMidBlock2DCrossAttn}: resnet, transformer, resnet at the innermost width. */
final class MidBlock {
    private final ResnetBlock2D first;
    private final Transformer2D attention;
    private final ResnetBlock2D second;

    MidBlock(Params p, UNetConfig cfg, List<FeedForward> feedForwards) {
        int last = cfg.blocks() - 1;
        int ch = cfg.blockOutChannels()[last];
        double scale = cfg.midBlockScaleFactor();
        first = new ResnetBlock2D(p.sub("resnets.0"), ch, ch, cfg.timeEmbedDim(), cfg.normNumGroups(),
                cfg.normEps(), scale);
        attention = new Transformer2D(p.sub("attentions.0"), ch, cfg.attentionHeads()[last],
                cfg.crossAttentionDim()[last], cfg.transformerLayersPerBlock()[last], cfg.normNumGroups(),
                cfg.useLinearProjection(), feedForwards);
        second = new ResnetBlock2D(p.sub("resnets.1"), ch, ch, cfg.timeEmbedDim(), cfg.normNumGroups(),
                cfg.normEps(), scale);
    }

    NDArray forward(NDArray x, BlockContext c) {
        try (Scope s = Scope.of(x)) {
            NDArray h = first.forward(x, c.timeAct());
            h = attention.forward(h, c.text(), c.observer());
            return s.keep(second.forward(h, c.timeAct()));
        }
    }
}
