package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Downsample2D;
import dev.conceptprune.nn.Params;
import dev.conceptprune.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code DownBlock2D} (no transformers) or {@code CrossAttnDownBlock2D}: resnets,
 * each followed by a transformer when present, then an optional stride-2 downsampler.
 */
final class DownBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2D> attentions = new ArrayList<>();
    private final Downsample2D downsampler;

    DownBlock(Params p, UNetConfig cfg, int index, int in, List<FeedForward> feedForwards) {
        int out = cfg.blockOutChannels()[index];
        for (int j = 0; j < cfg.layersPerBlock()[index]; j++) {
            resnets.add(new ResnetBlock2D(p.sub("resnets." + j), j == 0 ? in : out, out, cfg.timeEmbedDim(),
                    cfg.normNumGroups(), cfg.normEps(), 1.0));
            if (cfg.downHasAttention(index)) {
                attentions.add(new Transformer2D(p.sub("attentions." + j), out, cfg.attentionHeads()[index],
                        cfg.crossAttentionDim()[index], cfg.transformerLayersPerBlock()[index], cfg.normNumGroups(),
                        cfg.useLinearProjection(), feedForwards));
            }
        }
        boolean last = index == cfg.blocks() - 1;
        downsampler = last ? null : new Downsample2D(p.sub("downsamplers.0"), out, cfg.downsamplePadding());
    }

    /**
     * Returns the block's skip tensors in order (every resnet or transformer output, then the
     * downsampler's); the last one is the block's output. All belong to x's manager.
     */
    List<NDArray> forward(NDArray x, BlockContext c) {
        List<NDArray> states = new ArrayList<>();
        NDArray h = x;
        for (int j = 0; j < resnets.size(); j++) {
            h = resnets.get(j).forward(h, c.timeAct());
            if (!attentions.isEmpty()) {
                NDArray beforeAttention = h;
                h = attentions.get(j).forward(h, c.text(), c.observer());
                beforeAttention.close();
            }
            states.add(h);
        }
        if (downsampler != null) {
            states.add(downsampler.forward(h));
        }
        return states;
    }
}
