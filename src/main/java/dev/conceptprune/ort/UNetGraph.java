package dev.conceptprune.ort;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Params;
import dev.conceptprune.ort.OnnxGraph.Attr;
import dev.conceptprune.unet.UNetConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * diffusers' SD 1.x/2.x {@code UNet2DConditionModel} as an ONNX graph of standard operators
 * (opset 17) with fixed shapes, built from the same config and weight names as
 * {@code dev.conceptprune.unet}: the network ONNX Runtime runs as a peer of ours. Group norms are
 * instance norms over channel groups (as torch exports them), GELU is its erf form, and the
 * attention is either plain MatMul/Softmax/MatMul or ONNX Runtime's fused
 * {@code com.microsoft.MultiHeadAttention}.
 */
final class UNetGraph {
    static final int OPSET = 17;

    /** Graph input and output names. */
    static final String SAMPLE = "sample";
    static final String TIMESTEP = "timestep";
    static final String TEXT = "encoder_hidden_states";
    static final String OUT = "out_sample";

    private final OnnxGraph g;
    private final UNetConfig cfg;
    private final boolean fusedAttention;
    private final WeightSink weights;
    private final long batch;
    private final long textLength;
    private String timeAct;

    /** Receives each external weight's data in the graph's layout as the graph declares it. */
    interface WeightSink {
        void put(String name, long[] shape, float[] data);
    }

    private UNetGraph(UNetConfig cfg, boolean fusedAttention, long batch, long textLength, WeightSink weights) {
        this.weights = weights;
        this.g = new OnnxGraph(OPSET, fusedAttention);
        this.cfg = cfg;
        this.fusedAttention = fusedAttention;
        this.batch = batch;
        this.textLength = textLength;
    }

    /**
     * Emits the graph for latents [batch, in, h, w] and text [batch, textLength, D] and reads its
     * weights through {@code p} (a UNet's root view: a store's or seeded random ones) into {@code weights}.
     */
    static UNetGraph build(UNetConfig cfg, Params p, long batch, long h, long w, long textLength,
                           boolean fusedAttention, WeightSink weights) {
        requireSupported(cfg, h, w);
        UNetGraph u = new UNetGraph(cfg, fusedAttention, batch, textLength, weights);
        u.emit(p, h, w);
        return u;
    }

    /** Fails with an {@link IllegalArgumentException} for a UNet or latent size the graph does not cover. */
    static void requireSupported(UNetConfig cfg, long h, long w) {
        if (cfg.hasTextTime()) {
            throw new IllegalArgumentException("the ONNX Runtime peer covers SD 1.x and 2.x UNets; this one has"
                    + " SDXL's text_time embedding");
        }
        long factor = 1L << (cfg.blocks() - 1);
        if (h % factor != 0 || w % factor != 0) {
            throw new IllegalArgumentException("the ONNX Runtime peer needs latents divisible by " + factor
                    + " (this UNet's downsampling), got " + h + "x" + w);
        }
    }

    OnnxGraph graph() {
        return g;
    }

    private void emit(Params p, long h, long w) {
        int[] widths = cfg.blockOutChannels();
        int n = cfg.blocks();
        long crossDim = cfg.crossAttentionDim()[0];
        g.input(SAMPLE, batch, cfg.inChannels(), h, w);
        g.input(TIMESTEP, 1);
        g.input(TEXT, batch, textLength, crossDim);
        String tProj = timeProjection(widths[0]);
        Params te = p.sub("time_embedding");
        String temb = linear(te, "linear_2", silu(linear(te, "linear_1", tProj, widths[0], cfg.timeEmbedDim(), true)),
                cfg.timeEmbedDim(), cfg.timeEmbedDim(), true);
        timeAct = silu(temb);

        String x = conv(p, "conv_in", SAMPLE, cfg.inChannels(), widths[0], cfg.convInKernel(), 1,
                (cfg.convInKernel() - 1) / 2);
        Feature hcur = new Feature(x, widths[0], h, w);
        List<Feature> skips = new ArrayList<>();
        skips.add(hcur);
        for (int i = 0; i < n; i++) {
            Params b = p.sub("down_blocks." + i);
            int out = widths[i];
            for (int j = 0; j < cfg.layersPerBlock()[i]; j++) {
                hcur = resnet(b.sub("resnets." + j), hcur, out, 1.0);
                if (cfg.downHasAttention(i)) {
                    hcur = transformer(b.sub("attentions." + j), hcur, cfg.attentionHeads()[i], i);
                }
                skips.add(hcur);
            }
            if (i < n - 1) {
                int pad = cfg.downsamplePadding();
                long[] pads = pad == 0 ? new long[] {0, 0, 1, 1} : new long[] {pad, pad, pad, pad};
                String d = conv(b.sub("downsamplers.0"), "conv", hcur.name, out, out, 3, 2, pads);
                hcur = new Feature(d, out, (hcur.h + 2L * pad + (pad == 0 ? 1 : 0) - 3) / 2 + 1,
                        (hcur.w + 2L * pad + (pad == 0 ? 1 : 0) - 3) / 2 + 1);
                skips.add(hcur);
            }
        }
        Params mid = p.sub("mid_block");
        int last = n - 1;
        hcur = resnet(mid.sub("resnets.0"), hcur, widths[last], cfg.midBlockScaleFactor());
        hcur = transformer(mid.sub("attentions.0"), hcur, cfg.attentionHeads()[last], last);
        hcur = resnet(mid.sub("resnets.1"), hcur, widths[last], cfg.midBlockScaleFactor());
        for (int i = 0; i < n; i++) {
            Params b = p.sub("up_blocks." + i);
            int mirror = n - 1 - i;
            int out = widths[mirror];
            int layers = cfg.layersPerBlock()[mirror] + 1;
            for (int j = 0; j < layers; j++) {
                Feature skip = skips.remove(skips.size() - 1);
                String cat = g.op("Concat", new Attr[] {Attr.i("axis", 1)}, hcur.name, skip.name);
                hcur = resnet(b.sub("resnets." + j), new Feature(cat, hcur.c + skip.c, hcur.h, hcur.w), out, 1.0);
                if (cfg.upHasAttention(i)) {
                    hcur = transformer(b.sub("attentions." + j), hcur, cfg.attentionHeads()[mirror], mirror);
                }
            }
            if (i < n - 1) {
                String up = g.op("Resize", hcur.name, "", g.floats(new long[] {4}, 1, 1, 2, 2));
                String c = conv(b.sub("upsamplers.0"), "conv", up, out, out, 3, 1, 1);
                hcur = new Feature(c, out, hcur.h * 2, hcur.w * 2);
            }
        }
        String normed = groupNorm(p, "conv_norm_out", hcur, cfg.normEps());
        String out = conv(p, "conv_out", silu(normed), widths[0], cfg.outChannels(), cfg.convOutKernel(), 1,
                (cfg.convOutKernel() - 1) / 2);
        g.opMulti("Identity", new Attr[0], new String[] {OUT}, out);
        g.output(OUT, batch, cfg.outChannels(), h, w);
    }

    /** A named image feature [batch, c, h, w]. */
    private record Feature(String name, long c, long h, long w) {
    }

    /** diffusers' sinusoidal time_proj of the scalar timestep input, frequencies in float32. */
    private String timeProjection(int dim) {
        int half = dim / 2;
        float[] freqs = new float[half];
        float logPeriod = (float) -Math.log(UNetConfig.TIMESTEP_MAX_PERIOD);
        for (int i = 0; i < half; i++) {
            freqs[i] = (float) Math.exp((float) (i * logPeriod) / (float) (half - cfg.freqShift()));
        }
        String arg = g.op("Unsqueeze", g.op("Mul", TIMESTEP, g.floats(new long[] {half}, freqs)), g.ints(0));
        String sin = g.op("Sin", arg);
        String cos = g.op("Cos", arg);
        Attr[] axis = {Attr.i("axis", 1)};
        String emb = cfg.flipSinToCos() ? g.op("Concat", axis, cos, sin) : g.op("Concat", axis, sin, cos);
        return dim % 2 == 0 ? emb : g.op("Concat", axis, emb, g.floats(new long[] {1, 1}, 0f));
    }

    private Feature resnet(Params p, Feature x, int out, double outputScale) {
        double eps = cfg.normEps();
        String h = conv(p, "conv1", silu(groupNorm(p, "norm1", x, eps)), x.c, out, 3, 1, 1);
        String t = linear(p, "time_emb_proj", timeAct, cfg.timeEmbedDim(), out, true);
        h = g.op("Add", h, g.op("Reshape", t, g.ints(1, out, 1, 1)));
        Feature mid = new Feature(h, out, x.h, x.w);
        h = conv(p, "conv2", silu(groupNorm(p, "norm2", mid, eps)), out, out, 3, 1, 1);
        String shortcut = x.c == out ? x.name : conv(p, "conv_shortcut", x.name, x.c, out, 1, 1, 0);
        String sum = g.op("Add", h, shortcut);
        if (outputScale != 1.0) {
            sum = g.op("Div", sum, g.floats(new long[0], (float) outputScale));
        }
        return new Feature(sum, out, x.h, x.w);
    }

    private Feature transformer(Params p, Feature x, int heads, int level) {
        long c = x.c;
        long tokens = x.h * x.w;
        String normed = groupNorm(p, "norm", x, UNetConfig.TRANSFORMER_NORM_EPS);
        String seq = g.op("Reshape", g.op("Transpose", new Attr[] {Attr.ints("perm", 0, 2, 3, 1)}, normed),
                g.ints(batch, tokens, c));
        boolean linearProjection = cfg.useLinearProjection();
        String t = linearProjection ? linear(p, "proj_in", seq, c, c, true) : pointwise(p, "proj_in", seq, c, c);
        int contextDim = cfg.crossAttentionDim()[level];
        for (int i = 0; i < cfg.transformerLayersPerBlock()[level]; i++) {
            Params b = p.sub("transformer_blocks." + i);
            t = g.op("Add", attention(b.sub("attn1"), layerNorm(b, "norm1", t, c), null, c, c, heads, tokens), t);
            t = g.op("Add", t, attention(b.sub("attn2"), layerNorm(b, "norm2", t, c), TEXT, c, contextDim, heads,
                    tokens));
            t = g.op("Add", t, feedForward(b.sub("ff"), layerNorm(b, "norm3", t, c), c));
        }
        String projected = linearProjection ? linear(p, "proj_out", t, c, c, true) : pointwise(p, "proj_out", t, c, c);
        String image = g.op("Transpose", new Attr[] {Attr.ints("perm", 0, 3, 1, 2)},
                g.op("Reshape", projected, g.ints(batch, x.h, x.w, c)));
        return new Feature(g.op("Add", x.name, image), c, x.h, x.w);
    }

    private String attention(Params p, String x, String context, long dim, long contextDim, int heads, long tokens) {
        String kv = context == null ? x : context;
        long kvDim = context == null ? dim : contextDim;
        long kvLength = context == null ? tokens : textLength;
        String q = linear(p, "to_q", x, dim, dim, false);
        String k = linear(p, "to_k", kv, kvDim, dim, false);
        String v = linear(p, "to_v", kv, kvDim, dim, false);
        long d = dim / heads;
        float scale = (float) Math.pow(d, -0.5);
        String attended;
        if (fusedAttention) {
            attended = g.op("MultiHeadAttention", OnnxGraph.MS_DOMAIN,
                    new Attr[] {Attr.i("num_heads", heads), Attr.f("scale", scale)}, q, k, v);
        } else {
            Attr[] heads4 = {Attr.ints("perm", 0, 2, 1, 3)};
            String qh = g.op("Transpose", heads4, g.op("Reshape", q, g.ints(batch, tokens, heads, d)));
            String kh = g.op("Transpose", new Attr[] {Attr.ints("perm", 0, 2, 3, 1)},
                    g.op("Reshape", k, g.ints(batch, kvLength, heads, d)));
            String vh = g.op("Transpose", heads4, g.op("Reshape", v, g.ints(batch, kvLength, heads, d)));
            String scores = g.op("Mul", g.op("MatMul", qh, kh), g.floats(new long[0], scale));
            String probs = g.op("Softmax", new Attr[] {Attr.i("axis", -1)}, scores);
            String mixed = g.op("Transpose", heads4, g.op("MatMul", probs, vh));
            attended = g.op("Reshape", mixed, g.ints(batch, tokens, dim));
        }
        return linear(p, "to_out.0", attended, dim, dim, true);
    }

    /** GEGLU: the first half of net.0.proj times the exact (erf) GELU of its second half, then net.2. */
    private String feedForward(Params p, String x, long dim) {
        long inner = UNetConfig.FF_MULT * dim;
        String proj = linear(p, "net.0.proj", x, dim, 2 * inner, true);
        String[] halves = {g.fresh("half"), g.fresh("gate")};
        g.opMulti("Split", new Attr[] {Attr.i("axis", -1)}, halves, proj, g.ints(inner, inner));
        String gate = halves[1];
        String erf = g.op("Erf", g.op("Div", gate, g.floats(new long[0], (float) Math.sqrt(2))));
        String gelu = g.op("Mul", g.op("Mul", gate, g.op("Add", erf, g.floats(new long[0], 1f))),
                g.floats(new long[0], 0.5f));
        return linear(p, "net.2", g.op("Mul", halves[0], gelu), inner, dim, true);
    }

    private String layerNorm(Params p, String name, String x, long dim) {
        Params s = p.sub(name);
        Attr[] attrs = {Attr.i("axis", -1), Attr.f("epsilon", UNetConfig.LAYER_NORM_EPS)};
        return g.op("LayerNormalization", attrs, x,
                weight(s, "weight", new long[] {dim}, new long[] {dim}, false),
                weight(s, "bias", new long[] {dim}, new long[] {dim}, false));
    }

    /** Group norm as instance norm over [B, groups, rest], then the per-channel affine map. */
    private String groupNorm(Params p, String name, Feature x, double eps) {
        int groups = cfg.normNumGroups();
        Params s = p.sub(name);
        float[] ones = new float[groups];
        Arrays.fill(ones, 1f);
        String grouped = g.op("Reshape", x.name, g.ints(batch, groups, -1));
        String normed = g.op("InstanceNormalization", new Attr[] {Attr.f("epsilon", eps)}, grouped,
                g.floats(new long[] {groups}, ones), g.floats(new long[] {groups}, new float[groups]));
        String back = g.op("Reshape", normed, g.ints(batch, x.c, x.h, x.w));
        long[] affine = {x.c, 1, 1};
        return g.op("Add", g.op("Mul", back, weight(s, "weight", new long[] {x.c}, affine, false)),
                weight(s, "bias", new long[] {x.c}, affine, false));
    }

    private String silu(String x) {
        return g.op("Mul", x, g.op("Sigmoid", x));
    }

    private String conv(Params p, String name, String x, long in, long out, int k, int stride, int pad) {
        return conv(p, name, x, in, out, k, stride, new long[] {pad, pad, pad, pad});
    }

    private String conv(Params p, String name, String x, long in, long out, int k, int stride, long[] pads) {
        Params s = p.sub(name);
        long[] shape = {out, in, k, k};
        return g.op("Conv", new Attr[] {Attr.ints("kernel_shape", k, k), Attr.ints("strides", stride, stride),
                Attr.ints("pads", pads)}, x, weight(s, "weight", shape, shape, false),
                weight(s, "bias", new long[] {out}, new long[] {out}, false));
    }

    private String linear(Params p, String name, String x, long in, long out, boolean bias) {
        Params s = p.sub(name);
        String y = g.op("MatMul", x, weight(s, "weight", new long[] {out, in}, new long[] {in, out}, true));
        return bias ? g.op("Add", y, weight(s, "bias", new long[] {out}, new long[] {out}, false)) : y;
    }

    /** A 1x1 convolution's weight [out, in, 1, 1] as the linear layer on tokens that it is. */
    private String pointwise(Params p, String name, String x, long in, long out) {
        Params s = p.sub(name);
        String y = g.op("MatMul", x, weight(s, "weight", new long[] {out, in, 1, 1}, new long[] {in, out}, true));
        return g.op("Add", y, weight(s, "bias", new long[] {out}, new long[] {out}, false));
    }

    /**
     * Declares an external weight and reads its data through {@code p}; {@code transpose} turns a
     * stored [out, in(, 1, 1)] matrix into the [in, out] that MatMul multiplies by.
     */
    private String weight(Params p, String name, long[] stored, long[] graphShape, boolean transpose) {
        String full = p.fullName(name) + (transpose ? ".T" : "");
        float[] data;
        try (NDArray a = p.get(name, stored)) {
            data = a.toFloatArray();
        }
        if (transpose) {
            int rows = (int) stored[0];
            int cols = data.length / rows;
            float[] t = new float[data.length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    t[c * rows + r] = data[r * cols + c];
                }
            }
            data = t;
        }
        g.externalWeight(full, graphShape);
        weights.put(full, graphShape, data);
        return full;
    }
}
