package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Downsample2D;
import dev.conceptprune.nn.Params;
import dev.conceptprune.nn.ResnetBlock2D;
import dev.conceptprune.nn.Upsample2D;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * diffusers' {@code DownEncoderBlock2D} and {@code UpDecoderBlock2D}: resnets without time
 * embedding, then an optional resampler (a downsampler in the encoder, an upsampler in the
 * decoder) under {@code downsamplers.0} or {@code upsamplers.0}.
 */
final class ResamplingBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final UnaryOperator<NDArray> resampler;

    private ResamplingBlock(Params p, int in, int out, int resnetCount, int groups,
                            UnaryOperator<NDArray> resampler) {
        for (int i = 0; i < resnetCount; i++) {
            resnets.add(ResnetBlock2D.withoutTime(p.sub("resnets." + i), i == 0 ? in : out, out, groups,
                    VaeConfig.NORM_EPS));
        }
        this.resampler = resampler;
    }

    /** An encoder block: {@code layers} resnets, then a right-bottom-padded stride-2 conv if {@code downsamples}. */
    static ResamplingBlock downEncoder(Params p, int in, int out, int layers, int groups, boolean downsamples) {
        Downsample2D down = downsamples ? new Downsample2D(p.sub("downsamplers.0"), out, 0) : null;
        return new ResamplingBlock(p, in, out, layers, groups, down == null ? null : down::forward);
    }

    /**
     * A decoder block: {@code resnetCount} resnets ({@code layers_per_block + 1}: the decoder is one
     * layer deeper than the encoder), then a nearest x2 upsampler if {@code upsamples}.
     */
    static ResamplingBlock upDecoder(Params p, int in, int out, int resnetCount, int groups, boolean upsamples) {
        Upsample2D up = upsamples ? new Upsample2D(p.sub("upsamplers.0"), out) : null;
        return new ResamplingBlock(p, in, out, resnetCount, groups, up == null ? null : up::forward);
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        NDArray h = resnets.get(0).forward(x);
        for (int i = 1; i < resnets.size(); i++) {
            h = Intermediates.replace(h, resnets.get(i).forward(h));
        }
        return resampler == null ? h : Intermediates.replace(h, resampler.apply(h));
    }
}
