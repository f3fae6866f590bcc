package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/**
 * diffusers' {@code Attention} as used in SD transformer blocks: bias-free to_q/to_k/to_v,
 * multi-head softmax attention with scale head_size^-0.5, to_out.0 with bias. Keys and values
 * come from the context when one is given (cross-attention), else from the input.
 */
final class CrossAttention {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final float scale;
    private final DataType products;

    /**
     * @param dim query (and output) width
     * @param contextDim width of the key/value source: {@code dim} for self-attention
     */
    CrossAttention(Params p, int dim, int contextDim, int heads) {
        toQ = Linear.load(p, "to_q", dim, dim, false);
        toK = Linear.load(p, "to_k", contextDim, dim, false);
        toV = Linear.load(p, "to_v", contextDim, dim, false);
        toOut = Linear.load(p, "to_out.0", dim, dim, true);
        this.heads = heads;
        this.scale = (float) Math.pow(dim / (double) heads, -0.5);
        this.products = p.runtime().dtype();
    }

    /**
     * Attends from {@code x} [B, N, dim] to {@code context} [B, S, contextDim], or to itself when
     * {@code context} is null. The result belongs to x's manager.
     */
    NDArray forward(NDArray x, NDArray context) {
        try (Scope s = Scope.of(x, context)) {
            NDArray kv = context == null ? x : context;
            NDArray attended = Ops.attention(toQ.forward(x), toK.forward(kv), toV.forward(kv), heads, scale, products);
            return s.keep(toOut.forward(attended));
        }
    }
}
