package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.LayerNorm;
import dev.conceptprune.nn.Mutation;
import dev.conceptprune.nn.Params;

/**
 * diffusers' {@code BasicTransformerBlock} (pre-LN, eps 1e-5): self-attention, cross-attention
 * to the text states, GEGLU feed-forward, each added to the residual stream.
 */
final class BasicTransformerBlock {
    private final LayerNorm norm1;
    private final CrossAttention attn1;
    private final LayerNorm norm2;
    private final CrossAttention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;
    private final Mutation mutation;

    BasicTransformerBlock(Params p, int dim, int heads, int contextDim, int layerIndex) {
        mutation = p.mutation();
        norm1 = LayerNorm.load(p, "norm1", dim, UNetConfig.LAYER_NORM_EPS);
        attn1 = new CrossAttention(p.sub("attn1"), dim, dim, heads);
        norm2 = LayerNorm.load(p, "norm2", dim, UNetConfig.LAYER_NORM_EPS);
        attn2 = new CrossAttention(p.sub("attn2"), dim, contextDim, heads);
        norm3 = LayerNorm.load(p, "norm3", dim, UNetConfig.LAYER_NORM_EPS);
        ff = new FeedForward(p.sub("ff"), layerIndex, dim, UNetConfig.FF_MULT * dim);
    }

    /** @param x tokens [B, N, dim]; @param text [B, S, contextDim] */
    NDArray forward(NDArray x, NDArray text, FeedForwardObserver observer) {
        try (Scope s = Scope.of(x)) {
            NDArray h = mutation.add(attn1.forward(norm1.forward(x), null), x);
            h = mutation.add(h, attn2.forward(norm2.forward(h), text));
            h = mutation.add(h, ff.forward(norm3.forward(h), observer));
            return s.keep(h);
        }
    }

    FeedForward feedForward() {
        return ff;
    }
}
