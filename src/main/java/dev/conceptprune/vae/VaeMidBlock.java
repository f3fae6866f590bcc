package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Params;

/** diffusers' {@code UNetMidBlock2D} without time embedding: resnet, optional attention, resnet. */
final class VaeMidBlock {
    private final VaeResnetBlock first;
    private final VaeAttention attention;
    private final VaeResnetBlock second;

    VaeMidBlock(Params p, int channels, int groups, boolean withAttention) {
        first = new VaeResnetBlock(p.sub("resnets.0"), channels, channels, groups);
        attention = withAttention ? new VaeAttention(p.sub("attentions.0"), channels, groups) : null;
        second = new VaeResnetBlock(p.sub("resnets.1"), channels, channels, groups);
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
