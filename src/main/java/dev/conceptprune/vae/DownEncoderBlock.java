package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Params;
import java.util.ArrayList;
import java.util.List;

/** diffusers' {@code DownEncoderBlock2D}: resnets, then a downsampler on all but the last block. */
final class DownEncoderBlock {
    private final List<VaeResnetBlock> resnets = new ArrayList<>();
    private final Downsample downsample;

    DownEncoderBlock(Params p, int in, int out, int layers, int groups, boolean downsamples) {
        for (int i = 0; i < layers; i++) {
            resnets.add(new VaeResnetBlock(p.sub("resnets." + i), i == 0 ? in : out, out, groups));
        }
        downsample = downsamples ? new Downsample(p.sub("downsamplers.0"), out) : null;
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        NDArray h = resnets.get(0).forward(x);
        for (int i = 1; i < resnets.size(); i++) {
            h = Intermediates.replace(h, resnets.get(i).forward(h));
        }
        return downsample == null ? h : Intermediates.replace(h, downsample.forward(h));
    }
}
