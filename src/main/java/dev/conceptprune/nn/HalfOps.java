package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtSymbolBlock;

/**
 * The matrix products in a 16-bit float type (bfloat16 or float16), autocast-like: each op is one
 * TorchScript call that casts its float32 activations to the weights' type, computes in it and
 * returns float32, so everything between the products stays float32. DJL's own
 * {@code toType(BFLOAT16)} aborts the JVM in this build; TorchScript's cast ({@code torch.to(x, code)},
 * the code being torch's scalar type: 15 bf16, 5 float16, 6 float32) works, and DJL holds the 16-bit
 * tensors such calls return.
 */
final class HalfOps {
    private static final String CLASS_NAME = "HalfOps";
    private static final String HEADER = "  def %s(self: __torch__." + CLASS_NAME + ", %s) -> Tensor:\n    return ";
    private static final String METHODS = HEADER.formatted("cast", "x: Tensor, code: Tensor")
            + "torch.to(x, int(code))\n"
            + HEADER.formatted("linear", "x: Tensor, w: Tensor, b: Tensor")
            + "torch.to(torch.linear(torch.to(x, w.dtype), w, b), 6)\n"
            + HEADER.formatted("linear_nobias", "x: Tensor, w: Tensor")
            + "torch.to(torch.linear(torch.to(x, w.dtype), w), 6)\n"
            + HEADER.formatted("conv", "x: Tensor, w: Tensor, b: Tensor, stride: Tensor, padding: Tensor")
            + "torch.to(torch.conv2d(torch.to(x, w.dtype), w, b, [int(stride), int(stride)], [int(padding), int(padding)],"
            + " [1, 1], 1), 6)\n"
            + HEADER.formatted("conv_nobias", "x: Tensor, w: Tensor, stride: Tensor, padding: Tensor")
            + "torch.to(torch.conv2d(torch.to(x, w.dtype), w, None, [int(stride), int(stride)], [int(padding), int(padding)],"
            + " [1, 1], 1), 6)\n"
            + HEADER.formatted("attention", "q: Tensor, k: Tensor, v: Tensor, scale: Tensor, code: Tensor")
            + "torch.to(torch.scaled_dot_product_attention(torch.to(q, int(code)), torch.to(k, int(code)),"
            + " torch.to(v, int(code)), None, 0., False, scale=float(scale)), 6)\n"
            + HEADER.formatted("attention_masked", "q: Tensor, k: Tensor, v: Tensor, mask: Tensor, scale: Tensor,"
                    + " code: Tensor")
            + "torch.to(torch.scaled_dot_product_attention(torch.to(q, int(code)), torch.to(k, int(code)),"
            + " torch.to(v, int(code)), torch.to(mask, int(code)), 0., False, scale=float(scale)), 6)\n";

    private HalfOps() {
    }

    /** A copy of {@code a} in 16-bit {@code type}, in {@code a}'s manager; {@code a} stays open. */
    static NDArray cast(NDArray a, DataType type) {
        try (NDArray code = a.getManager().create(code(type))) {
            return call("cast", a, code);
        }
    }

    /** x W^T + b for float32 x and 16-bit W, b of one type (b may be null); float32 result in x's manager. */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return b == null ? call("linear_nobias", x, w) : call("linear", x, w, b);
    }

    /** 2-D convolution of float32 NCHW x with 16-bit weights (bias may be null); float32 result. */
    static NDArray conv(NDArray x, NDArray w, NDArray b, long stride, long padding) {
        NDManager m = x.getManager();
        try (NDArray s = m.create(stride); NDArray p = m.create(padding)) {
            return b == null ? call("conv_nobias", x, w, s, p) : call("conv", x, w, b, s, p);
        }
    }

    /**
     * libtorch's fused attention on {@code type} casts of float32 q, k, v (and mask, may be null); float32
     * result.
     */
    static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask, float scale, DataType type) {
        NDManager m = q.getManager();
        try (NDArray s = m.create(scale); NDArray code = m.create(code(type))) {
            return mask == null ? call("attention", q, k, v, s, code) : call("attention_masked", q, k, v, mask, s, code);
        }
    }

    private static long code(DataType type) {
        return switch (type) {
            case BFLOAT16 -> 15;
            case FLOAT16 -> 5;
            default -> throw new IllegalArgumentException("not a 16-bit compute type: " + type);
        };
    }

    private static NDArray call(String method, NDArray... args) {
        return TorchScriptArchive.call(Loaded.MODULE, method, args);
    }

    /** Holder: the module is compiled on first use and lives as long as the process. */
    private static final class Loaded {
        static final PtSymbolBlock MODULE = TorchScriptArchive.load(CLASS_NAME, METHODS, "16-bit ops");
    }
}
