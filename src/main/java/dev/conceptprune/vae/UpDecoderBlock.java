package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code UpDecoderBlock2D}: {@code layers_per_block + 1} resnets (the decoder is one
 * layer deeper than the encoder), then an upsampler on all but the last block.
 */
final class UpDecoderBlock {
    private final List<VaeResnetBlock> resnets = new ArrayList<>();
    private final Upsample upsample;

    UpDecoderBlock(Params p, int in, int out, int resnetCount, int groups, boolean upsamples) {
        for (int i = 0; i < resnetCount; i++) {
            resnets.add(new VaeResnetBlock(p.sub("resnets." + i), i == 0 ? in : out, out, groups));
        }
        upsample = upsamples ? new Upsample(p.sub("upsamplers.0"), out) : null;
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        NDArray h = resnets.get(0).forward(x);
        for (int i = 1; i < resnets.size(); i++) {
            h = Intermediates.replace(h, resnets.get(i).forward(h));
        }
        return upsample == null ? h : Intermediates.replace(h, upsample.forward(h));
    }
}
