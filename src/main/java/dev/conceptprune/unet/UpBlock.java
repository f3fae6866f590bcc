package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Params;
import dev.conceptprune.nn.ResnetBlock2D;
import dev.conceptprune.nn.Upsample2D;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code UpBlock2D} or {@code CrossAttnUpBlock2D}: resnets on [h, skip] concatenated
 * along channels (skips taken last first), each followed by a transformer when present, then an
 * optional upsampler. Sizes mirror down block {@code blocks - 1 - index}, with one resnet more.
 */
final class UpBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2D> attentions = new ArrayList<>();
    private final Upsample2D upsampler;

    UpBlock(Params p, UNetConfig cfg, int index, List<FeedForward> feedForwards) {
        int n = cfg.blocks();
        int mirror = n - 1 - index;
        int[] widths = cfg.blockOutChannels();
        int out = widths[mirror];
        int prevOut = widths[Math.min(mirror + 1, n - 1)];
        int skipIn = widths[Math.max(mirror - 1, 0)];
        int layers = cfg.layersPerBlock()[mirror] + 1;
        for (int j = 0; j < layers; j++) {
            int skip = j == layers - 1 ? skipIn : out;
            int in = j == 0 ? prevOut : out;
            resnets.add(new ResnetBlock2D(p.sub("resnets." + j), in + skip, out, cfg.timeEmbedDim(),
                    cfg.normNumGroups(), cfg.normEps(), 1.0));
            if (cfg.upHasAttention(index)) {
                attentions.add(new Transformer2D(p.sub("attentions." + j), out, cfg.attentionHeads()[mirror],
                        cfg.crossAttentionDim()[mirror], cfg.transformerLayersPerBlock()[mirror],
                        cfg.normNumGroups(), cfg.useLinearProjection(), feedForwards));
            }
        }
        upsampler = index == n - 1 ? null : new Upsample2D(p.sub("upsamplers.0"), out);
    }

    /** Number of skip tensors the block consumes. */
    int skipCount() {
        return resnets.size();
    }

    boolean upsamples() {
        return upsampler != null;
    }

    /**
     * @param skips the {@link #skipCount()} skip tensors in production order; this call takes
     *        them over and frees them
     * @param outSize (H, W) for the upsampler; ignored when the block does not upsample
     * @return the block output, in x's manager
     */
    NDArray forward(NDArray x, List<NDArray> skips, long[] outSize, BlockContext c) {
        try (Scope s = Scope.of(x)) {
            skips.forEach(s::consume);
            NDArray h = x;
            for (int j = 0; j < resnets.size(); j++) {
                NDArray skip = skips.get(skips.size() - 1 - j);
                h = resnets.get(j).forward(h.concat(skip, 1), c.timeAct());
                if (!attentions.isEmpty()) {
                    h = attentions.get(j).forward(h, c.text(), c.observer());
                }
            }
            if (upsampler != null) {
                h = upsampler.forward(h, outSize[0], outSize[1]);
            }
            return s.keep(h);
        }
    }
}
