package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.GroupNorm;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/**
 * The VAE mid-block self-attention: one head over all channels, its own GroupNorm, q/k/v/out
 * projections with bias, residual added (rescale factor 1). Parameter names are diffusers'
 * current {@code to_q/to_k/to_v/to_out.0} or the older {@code query/key/value/proj_attn}.
 */
final class VaeAttention {
    private final GroupNorm norm;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final float scale;

    VaeAttention(Params p, int channels, int groups) {
        norm = GroupNorm.load(p, "group_norm", groups, channels, VaeConfig.NORM_EPS);
        boolean legacy = !p.has("to_q.weight") && p.has("query.weight");
        q = Linear.load(p, legacy ? "query" : "to_q", channels, channels, true);
        k = Linear.load(p, legacy ? "key" : "to_k", channels, channels, true);
        v = Linear.load(p, legacy ? "value" : "to_v", channels, channels, true);
        out = Linear.load(p, legacy ? "proj_attn" : "to_out.0", channels, channels, true);
        scale = (float) Math.pow(channels, -0.5);
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        // x comes first in the residual add so that the result keeps x's contiguous NCHW layout.
        try (NDArray n = norm.forward(x);
             NDArray tokens = n.reshape(b, c, h * w).transpose(0, 2, 1);
             NDArray qs = q.forward(tokens);
             NDArray ks = k.forward(tokens);
             NDArray vs = v.forward(tokens);
             NDArray a = Ops.attention(qs, ks, vs, 1, scale);
             NDArray projected = out.forward(a);
             NDArray image = projected.transpose(0, 2, 1).reshape(b, c, h, w)) {
            return x.add(image);
        }
    }
}
