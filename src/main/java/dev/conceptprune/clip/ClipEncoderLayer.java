package dev.conceptprune.clip;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.LayerNorm;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/**
 * One pre-LN layer of a CLIP encoder (transformers' {@code CLIPEncoderLayer}), shared by the text
 * and the vision tower: self-attention and an MLP, each behind a layer norm and a residual
 * connection.
 */
public final class ClipEncoderLayer {
    private final int index;
    private final LayerNorm norm1;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final LayerNorm norm2;
    private final Linear fc1;
    private final Linear fc2;
    private final int heads;
    private final float scale;
    private final boolean exactGelu;

    /**
     * Loads {@code layer_norm1}, {@code self_attn.*}, {@code layer_norm2} and {@code mlp.*} under {@code p}.
     *
     * @param index the layer's position in its encoder, as reported to an {@link ClipTextModel.MlpObserver}
     * @param hiddenAct {@code gelu} (exact) or {@code quick_gelu}
     */
    public ClipEncoderLayer(Params p, int index, int hidden, int intermediate, int heads, double eps,
                            String hiddenAct) {
        this.index = index;
        Params a = p.sub("self_attn");
        norm1 = LayerNorm.load(p, "layer_norm1", hidden, eps);
        q = Linear.load(a, "q_proj", hidden, hidden, true);
        k = Linear.load(a, "k_proj", hidden, hidden, true);
        v = Linear.load(a, "v_proj", hidden, hidden, true);
        out = Linear.load(a, "out_proj", hidden, hidden, true);
        norm2 = LayerNorm.load(p, "layer_norm2", hidden, eps);
        fc1 = Linear.load(p, "mlp.fc1", hidden, intermediate, true);
        fc2 = Linear.load(p, "mlp.fc2", intermediate, hidden, true);
        this.heads = heads;
        this.scale = (float) Math.pow(hidden / (double) heads, -0.5);
        this.exactGelu = hiddenAct.equals("gelu");
    }

    /** Maps tokens [B, N, hidden] to [B, N, hidden] without a mask or an observer. */
    public NDArray forward(NDArray x) {
        return forward(x, null, null);
    }

    /**
     * Maps tokens [B, N, hidden] to [B, N, hidden]; intermediates belong to the input's manager.
     *
     * @param mask added to the attention scores [N, N] (the text tower's causal mask), or null
     * @param observer sees the input of {@code mlp.fc2}, or null
     */
    public NDArray forward(NDArray x, NDArray mask, ClipTextModel.MlpObserver observer) {
        NDArray h = norm1.forward(x);
        NDArray attn = Ops.attention(q.forward(h), k.forward(h), v.forward(h), heads, scale, mask);
        NDArray x1 = x.add(out.forward(attn));
        NDArray m = fc1.forward(norm2.forward(x1));
        NDArray act = exactGelu ? Ops.gelu(m) : Ops.quickGelu(m);
        if (observer != null) {
            observer.onFc2Input(index, act);
        }
        return x1.add(fc2.forward(act));
    }
}
