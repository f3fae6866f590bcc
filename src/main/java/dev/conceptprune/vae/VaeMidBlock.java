package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Params;
import dev.conceptprune.nn.ResnetBlock2D;

/** diffusers' {@code UNetMidBlock2D} without time embedding: resnet, optional attention, resnet. */
final class VaeMidBlock {
    private final ResnetBlock2D first;
    private final VaeAttention attention;
    private final ResnetBlock2D second;

    VaeMidBlock(Params p, int channels, int groups, boolean withAttention) {
        first = ResnetBlock2D.withoutTime(p.sub("resnets.0"), channels, channels, groups, VaeConfig.NORM_EPS);
        attention = withAttention ? new VaeAttention(p.sub("attentions.0"), channels, groups) : null;
        second = ResnetBlock2D.withoutTime(p.sub("resnets.1"), channels, channels, groups, VaeConfig.NORM_EPS);
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        NDArray h = first.forward(x);
        if (attention != null) {
            h = Intermediates.replace(h, attention.forward(h));
        }
        return Intermediates.replace(h, second.forward(h));
    }
}
