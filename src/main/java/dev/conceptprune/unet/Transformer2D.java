package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.GroupNorm;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Params;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * diffusers' {@code Transformer2DModel} for image features: GroupNorm (eps 1e-6), proj_in
 * (1x1 conv, or linear on tokens with {@code use_linear_projection}), the transformer blocks on
 * tokens [B, H*W, C], proj_out, plus the input.
 */
final class Transformer2D {
    private static final double NORM_EPS = 1e-6;

    private final GroupNorm norm;
    private final UnaryOperator<NDArray> projIn;
    private final UnaryOperator<NDArray> projOut;
    private final boolean linearProjection;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();

    /**
     * @param feedForwards collects the blocks' feed-forwards; each block's layer index is its
     *        position there
     */
    Transformer2D(Params p, int channels, int heads, int contextDim, int layers, int groups,
                  boolean linearProjection, List<FeedForward> feedForwards) {
        this.linearProjection = linearProjection;
        norm = GroupNorm.load(p, "norm", groups, channels, NORM_EPS);
        if (linearProjection) {
            projIn = Linear.load(p, "proj_in", channels, channels, true)::forward;
            projOut = Linear.load(p, "proj_out", channels, channels, true)::forward;
        } else {
            projIn = Conv2d.load(p, "proj_in", channels, channels, 1, 1, 0)::forward;
            projOut = Conv2d.load(p, "proj_out", channels, channels, 1, 1, 0)::forward;
        }
        for (int i = 0; i < layers; i++) {
            BasicTransformerBlock b = new BasicTransformerBlock(p.sub("transformer_blocks." + i), channels, heads,
                    contextDim, feedForwards.size());
            feedForwards.add(b.feedForward());
            blocks.add(b);
        }
    }

    /** @param x [B, C, H, W]; @param text [B, S, contextDim] */
    NDArray forward(NDArray x, NDArray text, FeedForwardObserver observer) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        try (Scope s = Scope.of(x)) {
            NDArray normed = norm.forward(x);
            NDArray tokens = linearProjection ? projIn.apply(toTokens(normed, b, c, h * w))
                    : toTokens(projIn.apply(normed), b, c, h * w);
            for (BasicTransformerBlock block : blocks) {
                tokens = block.forward(tokens, text, observer);
            }
            NDArray image = linearProjection ? toImage(projOut.apply(tokens), b, c, h, w)
                    : projOut.apply(toImage(tokens, b, c, h, w));
            return s.keep(x.add(image));
        }
    }

    /** NCHW to contiguous tokens (the reshape of the permuted view copies once). */
    private static NDArray toTokens(NDArray image, long b, long c, long n) {
        return image.transpose(0, 2, 3, 1).reshape(b, n, c);
    }

    /** Tokens to an NCHW view; the next op reads it in place. */
    private static NDArray toImage(NDArray tokens, long b, long c, long h, long w) {
        return tokens.reshape(b, h, w, c).transpose(0, 3, 1, 2);
    }
}
