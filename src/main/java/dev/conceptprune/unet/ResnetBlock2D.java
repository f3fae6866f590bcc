package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.GroupNorm;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Mutation;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/**
 * diffusers' {@code ResnetBlock2D} with the default time conditioning: norm, SiLU, conv,
 * + projected time embedding, norm, SiLU, conv, + shortcut (1x1 conv when the width changes),
 * divided by the output scale factor.
 */
final class ResnetBlock2D {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut;
    private final float outputScale;
    private final Mutation mutation;

    ResnetBlock2D(Params p, int in, int out, int timeDim, int groups, double eps, double outputScale) {
        mutation = p.mutation();
        norm1 = GroupNorm.load(p, "norm1", groups, in, eps);
        conv1 = Conv2d.load(p, "conv1", in, out, 3, 1, 1);
        timeEmbProj = Linear.load(p, "time_emb_proj", timeDim, out, true);
        norm2 = GroupNorm.load(p, "norm2", groups, out, eps);
        conv2 = Conv2d.load(p, "conv2", out, out, 3, 1, 1);
        shortcut = in == out ? null : Conv2d.load(p, "conv_shortcut", in, out, 1, 1, 0);
        this.outputScale = (float) outputScale;
    }

    /**
     * @param x [B, in, H, W]
     * @param timeAct SiLU of the time embedding, [1 or B, timeDim]
     */
    NDArray forward(NDArray x, NDArray timeAct) {
        try (Scope s = Scope.of(x, timeAct)) {
            NDArray h = conv1.forward(Ops.silu(norm1.forward(x), mutation));
            NDArray t = timeEmbProj.forward(timeAct);
            h = mutation.add(h, t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
            h = conv2.forward(Ops.silu(norm2.forward(h), mutation));
            // h is this block's own buffer: the residual goes into it (x + h and h + x round alike).
            NDArray out = mutation.add(h, shortcut == null ? x : shortcut.forward(x));
            return s.keep(outputScale == 1f ? out : mutation.div(out, outputScale));
        }
    }
}
