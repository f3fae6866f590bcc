package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.GroupNorm;
import dev.conceptprune.nn.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * The VAE encoder: conv_in, down blocks, mid block, GroupNorm -> SiLU -> conv_out to
 * {@code 2 * latent_channels} (mean and log-variance, diffusers' {@code double_z}).
 */
final class Encoder {
    private final Conv2d convIn;
    private final List<ResamplingBlock> down = new ArrayList<>();
    private final VaeMidBlock mid;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    Encoder(Params p, VaeConfig c) {
        int groups = c.normGroups();
        convIn = Conv2d.load(p, "conv_in", c.inChannels(), c.channels(0), 3, 1, 1);
        for (int i = 0; i < c.blocks(); i++) {
            int in = c.channels(Math.max(i - 1, 0));
            down.add(ResamplingBlock.downEncoder(p.sub("down_blocks." + i), in, c.channels(i), c.layersPerBlock(),
                    groups, i < c.blocks() - 1));
        }
        int top = c.channels(c.blocks() - 1);
        mid = new VaeMidBlock(p.sub("mid_block"), top, groups, c.midBlockAttention());
        normOut = GroupNorm.load(p, "conv_norm_out", groups, top, VaeConfig.NORM_EPS);
        convOut = Conv2d.load(p, "conv_out", top, 2L * c.latentChannels(), 3, 1, 1);
    }

    /** Image [B, in, H, W] to moments [B, 2 * latent, H/f, W/f]; does not close {@code x}. */
    NDArray forward(NDArray x) {
        NDArray h = convIn.forward(x);
        for (ResamplingBlock block : down) {
            h = Intermediates.replace(h, block.forward(h));
        }
        h = Intermediates.replace(h, mid.forward(h));
        h = Intermediates.replace(h, normOut.forwardSilu(h));
        return Intermediates.replace(h, convOut.forward(h));
    }
}
