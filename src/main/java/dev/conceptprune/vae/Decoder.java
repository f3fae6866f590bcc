package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.GroupNorm;
import dev.conceptprune.nn.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * The VAE decoder: conv_in, mid block, up blocks over the channel list reversed, then
 * GroupNorm -> SiLU -> conv_out to the image channels.
 */
final class Decoder {
    private final Conv2d convIn;
    private final VaeMidBlock mid;
    private final List<ResamplingBlock> up = new ArrayList<>();
    private final GroupNorm normOut;
    private final Conv2d convOut;

    Decoder(Params p, VaeConfig c) {
        int groups = c.normGroups();
        int n = c.blocks();
        int top = c.channels(n - 1);
        convIn = Conv2d.load(p, "conv_in", c.latentChannels(), top, 3, 1, 1);
        mid = new VaeMidBlock(p.sub("mid_block"), top, groups, c.midBlockAttention());
        for (int i = 0; i < n; i++) {
            int in = c.channels(n - 1 - Math.max(i - 1, 0));
            up.add(ResamplingBlock.upDecoder(p.sub("up_blocks." + i), in, c.channels(n - 1 - i), c.layersPerBlock() + 1,
                    groups, i < n - 1));
        }
        int bottom = c.channels(0);
        normOut = GroupNorm.load(p, "conv_norm_out", groups, bottom, VaeConfig.NORM_EPS);
        convOut = Conv2d.load(p, "conv_out", bottom, c.outChannels(), 3, 1, 1);
    }

    /** Latents [B, latent, h, w] (after post_quant_conv) to an image [B, out, h*f, w*f]; does not close {@code z}. */
    NDArray forward(NDArray z) {
        NDArray h = convIn.forward(z);
        h = Intermediates.replace(h, mid.forward(h));
        for (ResamplingBlock block : up) {
            h = Intermediates.replace(h, block.forward(h));
        }
        h = Intermediates.replace(h, normOut.forwardSilu(h));
        return Intermediates.replace(h, convOut.forward(h));
    }
}
