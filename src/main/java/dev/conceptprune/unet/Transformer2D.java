package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.GroupNorm;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code Transformer2DModel} for image features: GroupNorm (eps 1e-6), proj_in
 * (1x1 conv, or linear on tokens with {@code use_linear_projection}), the transformer blocks on
 * tokens [B, H*W, C], proj_out, plus the input. A 1x1 conv is the same product as a linear
 * layer on tokens, so both variants run as linears: proj_in reads the normed image through a
 * tokens view and writes contiguous tokens (the one layout change), and proj_out's tokens are
 * added back to the image through an NCHW view. Convolving the NCHW image instead would leave
 * the tokens a strided view, which every layer norm and product of the blocks would copy again.
 */
final class Transformer2D {
    private final GroupNorm norm;
    private final Linear projIn;
    private final Linear projOut;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();

    /**
     * @param feedForwards collects the blocks' feed-forwards; each block's layer index is its
     *        position there
     */
    Transformer2D(Params p, int channels, int heads, int contextDim, int layers, int groups,
                  boolean linearProjection, List<FeedForward> feedForwards) {
        norm = GroupNorm.load(p, "norm", groups, channels, UNetConfig.TRANSFORMER_NORM_EPS);
        projIn = linearProjection ? Linear.load(p, "proj_in", channels, channels, true)
                : Linear.loadPointwiseConv(p, "proj_in", channels, channels);
        projOut = linearProjection ? Linear.load(p, "proj_out", channels, channels, true)
                : Linear.loadPointwiseConv(p, "proj_out", channels, channels);
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
            NDArray tokens = projIn.forward(norm.forward(x).transpose(0, 2, 3, 1).reshape(b, h * w, c));
            for (BasicTransformerBlock block : blocks) {
                tokens = block.forward(tokens, text, observer);
            }
            NDArray image = projOut.forward(tokens).reshape(b, h, w, c).transpose(0, 3, 1, 2);
            return s.keep(x.add(image));
        }
    }
}
