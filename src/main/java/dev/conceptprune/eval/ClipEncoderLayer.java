package dev.conceptprune.eval;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.LayerNorm;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/**
 * One pre-LN layer of a CLIP encoder (transformers' {@code CLIPEncoderLayer}): self-attention and
 * an MLP, each behind a layer norm and a residual connection; no attention mask.
 */
final class ClipEncoderLayer {
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

    /** Loads {@code layer_norm1}, {@code self_attn.*}, {@code layer_norm2} and {@code mlp.*} under {@code p}. */
    ClipEncoderLayer(Params p, int hidden, int intermediate, int heads, double eps, String hiddenAct) {
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

    /** Maps tokens [B, N, hidden] to [B, N, hidden]; intermediates belong to the input's manager. */
    NDArray forward(NDArray x) {
        NDArray h = norm1.forward(x);
        NDArray attn = Ops.attention(q.forward(h), k.forward(h), v.forward(h), heads, scale);
        NDArray x1 = x.add(out.forward(attn));
        NDArray m = fc1.forward(norm2.forward(x1));
        NDArray act = exactGelu ? Ops.gelu(m) : Ops.quickGelu(m);
        return x1.add(fc2.forward(act));
    }
}
