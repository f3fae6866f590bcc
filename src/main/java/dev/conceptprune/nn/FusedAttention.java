package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's fused scaled-dot-product attention ({@code torch.scaled_dot_product_attention}),
 * which DJL's NDArray API does not expose. It is reached through a two-method TorchScript
 * module compiled from source once per process. On CPU libtorch runs it as a flash-attention
 * kernel: both products and the softmax over blocks of queries and keys that stay in cache,
 * so no score matrix is ever materialised.
 */
final class FusedAttention {
    private static final String CLASS_NAME = "FusedAttention";
    private static final String METHODS = "  def forward(self: __torch__." + CLASS_NAME
            + ", q: Tensor, k: Tensor, v: Tensor, scale: float) -> Tensor:\n"
            + "    return torch.scaled_dot_product_attention(q, k, v, None, 0., False, scale=scale)\n"
            + "  def masked(self: __torch__." + CLASS_NAME
            + ", q: Tensor, k: Tensor, v: Tensor, mask: Tensor, scale: float) -> Tensor:\n"
            + "    return torch.scaled_dot_product_attention(q, k, v, mask, 0., False, scale=scale)\n"
            + "  def tracked(self: __torch__." + CLASS_NAME
            + ", q: Tensor, k: Tensor, v: Tensor, scale: Tensor) -> Tensor:\n"
            + "    return torch.scaled_dot_product_attention(q, k, v, None, 0., False, scale=float(scale))\n"
            + "  def tracked_masked(self: __torch__." + CLASS_NAME
            + ", q: Tensor, k: Tensor, v: Tensor, mask: Tensor, scale: Tensor) -> Tensor:\n"
            + "    return torch.scaled_dot_product_attention(q, k, v, mask, 0., False, scale=float(scale))\n";

    private FusedAttention() {
    }

    /**
     * softmax(scale q k^T + mask) v for q [B, H, Nq, d], k and v [B, H, Nk, d] (any strides),
     * optional additive mask [Nq, Nk]; returns [B, H, Nq, d] in q's manager.
     */
    static NDArray apply(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        // Inside a gradient collector libtorch records ops; the module call must then record too.
        if (JniUtils.isGradMode()) {
            return tracked(q, k, v, mask, scale);
        }
        PtSymbolBlock module = Loaded.MODULE;
        IValue[] in = mask == null
                ? new IValue[] {tensor(q), tensor(k), tensor(v), IValue.from((double) scale)}
                : new IValue[] {tensor(q), tensor(k), tensor(v), tensor(mask), IValue.from((double) scale)};
        return TorchScriptArchive.run(module, mask == null ? "forward" : "masked", q.getManager(), in);
    }

    /**
     * The same kernel run with autograd on: DJL's IValue calls run modules without it, and only
     * its NDList call takes a training flag, so the scale travels as a 0-d tensor there.
     */
    private static NDArray tracked(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        try (NDArray s = q.getManager().create(scale)) {
            return mask == null ? TorchScriptArchive.call(Loaded.MODULE, "tracked", q, k, v, s)
                    : TorchScriptArchive.call(Loaded.MODULE, "tracked_masked", q, k, v, mask, s);
        }
    }

    private static IValue tensor(NDArray a) {
        return IValue.from((PtNDArray) a);
    }

    /** Holder: the module is compiled on first use; it and its manager live as long as the process. */
    private static final class Loaded {
        static final PtSymbolBlock MODULE = TorchScriptArchive.load(CLASS_NAME, METHODS, "fused attention");
    }
}
