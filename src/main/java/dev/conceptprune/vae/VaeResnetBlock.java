package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.GroupNorm;
import dev.conceptprune.nn.Mutation;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/**
 * diffusers' {@code ResnetBlock2D} as the VAE uses it: no time embedding, output scale 1;
 * GroupNorm -> SiLU -> 3x3 conv, twice, plus the input (through a 1x1
 * {@code conv_shortcut} when the channel count changes).
 */
final class VaeResnetBlock {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut;
    private final Mutation mutation;

    VaeResnetBlock(Params p, int in, int out, int groups) {
        mutation = p.mutation();
        norm1 = GroupNorm.load(p, "norm1", groups, in, VaeConfig.NORM_EPS);
        conv1 = Conv2d.load(p, "conv1", in, out, 3, 1, 1);
        norm2 = GroupNorm.load(p, "norm2", groups, out, VaeConfig.NORM_EPS);
        conv2 = Conv2d.load(p, "conv2", out, out, 3, 1, 1);
        shortcut = in == out ? null : Conv2d.load(p, "conv_shortcut", in, out, 1, 1, 0);
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        NDArray h;
        try (NDArray n = norm1.forward(x); NDArray a = Ops.silu(n, mutation)) {
            h = conv1.forward(a);
        }
        try (NDArray h1 = h; NDArray n = norm2.forward(h1); NDArray a = Ops.silu(n, mutation)) {
            h = conv2.forward(a);
        }
        if (shortcut == null) {
            return mutation.add(h, x);
        }
        try (NDArray s = shortcut.forward(x)) {
            return mutation.add(h, s);
        }
    }
}
