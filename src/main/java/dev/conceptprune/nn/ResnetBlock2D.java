package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' {@code ResnetBlock2D} with the default time conditioning, as the UNet uses it, or
 * without a time embedding, as the VAE does: norm, SiLU, conv, (+ projected time embedding),
 * norm, SiLU, conv, + shortcut (1x1 conv when the width changes), divided by the output scale
 * factor. Each intermediate is freed as soon as the next one exists: full-size VAE activations
 * are large.
 */
public final class ResnetBlock2D {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut;
    private final float outputScale;
    private final Mutation mutation;

    /** A block with {@code time_emb_proj} from a time embedding of width {@code timeDim}. */
    public ResnetBlock2D(Params p, int in, int out, int timeDim, int groups, double eps, double outputScale) {
        this(p, in, out, timeDim, groups, eps, outputScale, true);
    }

    private ResnetBlock2D(Params p, int in, int out, int timeDim, int groups, double eps, double outputScale,
                          boolean timed) {
        mutation = p.mutation();
        norm1 = GroupNorm.load(p, "norm1", groups, in, eps);
        conv1 = Conv2d.load(p, "conv1", in, out, 3, 1, 1);
        timeEmbProj = timed ? Linear.load(p, "time_emb_proj", timeDim, out, true) : null;
        norm2 = GroupNorm.load(p, "norm2", groups, out, eps);
        conv2 = Conv2d.load(p, "conv2", out, out, 3, 1, 1);
        shortcut = in == out ? null : Conv2d.load(p, "conv_shortcut", in, out, 1, 1, 0);
        this.outputScale = (float) outputScale;
    }

    /** A block without time embedding ({@code temb_channels=None}) and output scale 1. */
    public static ResnetBlock2D withoutTime(Params p, int in, int out, int groups, double eps) {
        return new ResnetBlock2D(p, in, out, 0, groups, eps, 1.0, false);
    }

    /** Maps [B, in, H, W] to [B, out, H, W] for a block without time embedding. */
    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    /**
     * Does not close {@code x}; the result is a new array in x's manager.
     *
     * @param x [B, in, H, W]
     * @param timeAct SiLU of the time embedding, [1 or B, timeDim]; null without time embedding
     */
    public NDArray forward(NDArray x, NDArray timeAct) {
        NDArray h;
        try (NDArray a = norm1.forwardSilu(x)) {
            h = conv1.forward(a);
        }
        if (timeEmbProj != null) {
            try (NDArray t = timeEmbProj.forward(timeAct);
                 NDArray t4 = t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1)) {
                // out of place (gradients on) the earlier h stays in x's manager until its scope closes
                h = mutation.add(h, t4);
            }
        }
        try (NDArray h1 = h; NDArray a = norm2.forwardSilu(h1)) {
            h = conv2.forward(a);
        }
        // h is this block's own buffer: the residual goes into it (x + h and h + x round alike).
        NDArray out;
        if (shortcut == null) {
            out = mutation.add(h, x);
        } else {
            try (NDArray s = shortcut.forward(x)) {
                out = mutation.add(h, s);
            }
        }
        return outputScale == 1f ? out : mutation.div(out, outputScale);
    }
}
