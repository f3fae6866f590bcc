package dev.conceptprune.unet;

import com.google.gson.JsonElement;
import dev.conceptprune.io.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The structure of a diffusers {@code UNet2DConditionModel} (SD 1.x/2.x and SDXL layouts), read from
 * {@code unet/config.json}. Per-block arrays are in down-block order; up block {@code i} uses
 * entry {@code blocks() - 1 - i}, as diffusers reverses them.
 *
 * @param attentionHeads heads per block: diffusers takes {@code num_attention_heads}, or else
 *        {@code attention_head_dim}, as the number of heads (not their size)
 * @param upcastAttention read for completeness: attention here always runs in float32, which is
 *        what upcasting achieves for half-precision models
 * @param timeEmbedDim width of the time embedding the resnets receive
 * @param additionTimeEmbedDim {@code addition_time_embed_dim} of SDXL's {@code text_time} added
 *        embedding: the sinusoidal width of each time id; 0 without an added embedding
 * @param additionInputDim {@code projection_class_embeddings_input_dim}: the input width of
 *        {@code add_embedding} (pooled text plus every time id's embedding); 0 without one
 */
public record UNetConfig(int inChannels, int outChannels, int[] blockOutChannels,
                         List<String> downBlockTypes, List<String> upBlockTypes,
                         int[] layersPerBlock, int[] attentionHeads, int[] crossAttentionDim,
                         int[] transformerLayersPerBlock, int normNumGroups, double normEps,
                         boolean flipSinToCos, double freqShift, boolean useLinearProjection,
                         boolean upcastAttention, int downsamplePadding, double midBlockScaleFactor,
                         int convInKernel, int convOutKernel, int timeEmbedDim,
                         int additionTimeEmbedDim, int additionInputDim) {

    /** SDXL's size conditions: original size (h, w), crop top-left (top, left), target size (h, w). */
    public static final int TIME_IDS = 6;

    /** The epsilon of the GroupNorm before a transformer's proj_in, which diffusers hard-codes. */
    public static final double TRANSFORMER_NORM_EPS = 1e-6;
    /** The epsilon of a transformer block's LayerNorms, which diffusers hard-codes. */
    public static final double LAYER_NORM_EPS = 1e-5;
    /** A feed-forward's inner width over its input width, which diffusers hard-codes. */
    public static final int FF_MULT = 4;
    /** The longest period of the timestep sinusoid, which diffusers hard-codes. */
    public static final double TIMESTEP_MAX_PERIOD = 10000;

    private static final String CROSS_DOWN = "CrossAttnDownBlock2D";
    private static final String PLAIN_DOWN = "DownBlock2D";
    private static final String CROSS_UP = "CrossAttnUpBlock2D";
    private static final String PLAIN_UP = "UpBlock2D";
    private static final String MID = "UNetMidBlock2DCrossAttn";
    private static final String TEXT_TIME = "text_time";

    /** Keys that switch on model parts this implementation does not have; they must be absent or null. */
    private static final List<String> MUST_BE_NULL = List.of("class_embed_type", "num_class_embeds",
            "encoder_hid_dim", "encoder_hid_dim_type", "time_cond_proj_dim",
            "timestep_post_act", "time_embedding_act_fn", "reverse_transformer_layers_per_block");

    /** Reads and checks the config; every error is one line naming the key and its value. */
    public static UNetConfig from(Config c) {
        for (String key : MUST_BE_NULL) {
            if (c.has(key)) {
                throw c.error("config key '" + key + "' = " + c.json().get(key) + " is not supported (must be null)");
            }
        }
        requireOneOf(c, "act_fn", "silu", Set.of("silu", "swish"));
        boolean textTime = c.has("addition_embed_type");
        if (textTime) {
            requireOneOf(c, "addition_embed_type", TEXT_TIME, Set.of(TEXT_TIME));
        }
        requireOneOf(c, "time_embedding_type", "positional", Set.of("positional"));
        requireOneOf(c, "resnet_time_scale_shift", "default", Set.of("default"));
        requireOneOf(c, "attention_type", "default", Set.of("default"));
        requireOneOf(c, "mid_block_type", MID, Set.of(MID));
        for (String key : List.of("center_input_sample", "dual_cross_attention")) {
            if (c.getBoolean(key, false)) {
                throw c.error("config key '" + key + "' = true is not supported");
            }
        }
        requireNoOnlyCrossAttention(c);
        if (c.json().has("norm_num_groups") && c.json().get("norm_num_groups").isJsonNull()) {
            throw c.error("config key 'norm_num_groups' = null (no output norm) is not supported");
        }

        int[] out = c.getIntArray("block_out_channels");
        int n = out.length;
        if (n == 0) {
            throw c.error("config key 'block_out_channels' is empty");
        }
        List<String> down = blockTypes(c, "down_block_types", n, Set.of(CROSS_DOWN, PLAIN_DOWN));
        List<String> up = blockTypes(c, "up_block_types", n, Set.of(CROSS_UP, PLAIN_UP));
        String headsKey = c.has("num_attention_heads") ? "num_attention_heads" : "attention_head_dim";
        int groups = c.getInt("norm_num_groups", 32);
        UNetConfig cfg = new UNetConfig(c.getInt("in_channels"), c.getInt("out_channels"), out, down, up,
                c.getIntOrPerBlock("layers_per_block", n), c.getIntOrPerBlock(headsKey, n),
                c.getIntOrPerBlock("cross_attention_dim", n),
                c.has("transformer_layers_per_block") ? c.getIntOrPerBlock("transformer_layers_per_block", n)
                        : filled(n, 1),
                groups, c.getDouble("norm_eps", 1e-5), c.getBoolean("flip_sin_to_cos", true),
                c.getDouble("freq_shift", 0), c.getBoolean("use_linear_projection", false),
                c.getBoolean("upcast_attention", false), c.getInt("downsample_padding", 1),
                c.getDouble("mid_block_scale_factor", 1), c.getInt("conv_in_kernel", 3),
                c.getInt("conv_out_kernel", 3), c.getInt("time_embedding_dim", out[0] * 4),
                textTime ? c.getInt("addition_time_embed_dim") : 0,
                textTime ? c.getInt("projection_class_embeddings_input_dim") : 0);
        cfg.check(c, headsKey);
        return cfg;
    }

    /**
     * True for SDXL's {@code addition_embed_type: text_time}: pooled text and time ids are added
     * to the time embedding.
     */
    public boolean hasTextTime() {
        return additionInputDim > 0;
    }

    /**
     * Width of the pooled text embedding {@code add_embedding} takes besides the {@link #TIME_IDS}
     * time ids (SDXL: text_encoder_2's projection_dim); 0 without an added embedding.
     */
    public int addedTextWidth() {
        return hasTextTime() ? additionInputDim - TIME_IDS * additionTimeEmbedDim : 0;
    }

    /** Number of down blocks (= up blocks). */
    public int blocks() {
        return blockOutChannels.length;
    }

    /** True when down block {@code i} has transformers. */
    public boolean downHasAttention(int i) {
        return downBlockTypes.get(i).equals(CROSS_DOWN);
    }

    /** True when up block {@code i} has transformers. */
    public boolean upHasAttention(int i) {
        return upBlockTypes.get(i).equals(CROSS_UP);
    }

    /**
     * The widths of the text states the cross-attentions take: those of the blocks with
     * transformers (down, mid, up); one width for SD 1.x/2.x.
     */
    public Set<Integer> crossAttentionWidths() {
        Set<Integer> widths = new TreeSet<>();
        int n = blocks();
        for (int i = 0; i < n; i++) {
            if (downHasAttention(i)) {
                widths.add(crossAttentionDim[i]);
            }
            if (upHasAttention(i)) {
                widths.add(crossAttentionDim[n - 1 - i]);
            }
        }
        widths.add(crossAttentionDim[n - 1]);
        return widths;
    }

    private void check(Config c, String headsKey) {
        positive(c, "in_channels", inChannels);
        positive(c, "out_channels", outChannels);
        positive(c, "norm_num_groups", normNumGroups);
        positive(c, "time_embedding_dim", timeEmbedDim);
        if (c.has("addition_embed_type")) {
            positive(c, "addition_time_embed_dim", additionTimeEmbedDim);
            if (addedTextWidth() <= 0) {
                throw c.error("config key 'projection_class_embeddings_input_dim' = " + additionInputDim
                        + " leaves no room for pooled text beside " + TIME_IDS + " time ids of addition_time_embed_dim "
                        + additionTimeEmbedDim);
            }
        }
        oddKernel(c, "conv_in_kernel", convInKernel);
        oddKernel(c, "conv_out_kernel", convOutKernel);
        if (downsamplePadding < 0) {
            throw c.error("config key 'downsample_padding' = " + downsamplePadding + " must be >= 0");
        }
        if (midBlockScaleFactor <= 0) {
            throw c.error("config key 'mid_block_scale_factor' = " + midBlockScaleFactor + " must be > 0");
        }
        for (int i = 0; i < blocks(); i++) {
            int ch = blockOutChannels[i];
            positive(c, "block_out_channels", ch);
            positive(c, "layers_per_block", layersPerBlock[i]);
            positive(c, "transformer_layers_per_block", transformerLayersPerBlock[i]);
            positive(c, "cross_attention_dim", crossAttentionDim[i]);
            positive(c, headsKey, attentionHeads[i]);
            // Every GroupNorm in the UNet sees a block width or a sum of block widths.
            if (ch % normNumGroups != 0) {
                throw c.error("config key 'norm_num_groups' = " + normNumGroups
                        + " does not divide block_out_channels[" + i + "] = " + ch);
            }
            int mirror = blocks() - 1 - i;
            boolean attended = downHasAttention(i) || upHasAttention(mirror) || i == blocks() - 1;
            if (attended && ch % attentionHeads[i] != 0) {
                throw c.error("config key '" + headsKey + "' = " + attentionHeads[i] + ": that many heads do not divide"
                        + " block_out_channels[" + i + "] = " + ch);
            }
        }
    }

    private static List<String> blockTypes(Config c, String key, int blocks, Set<String> supported) {
        List<String> types = c.getStringList(key);
        if (types.size() != blocks) {
            throw c.error("config key '" + key + "' lists " + types.size() + " blocks but block_out_channels has "
                    + blocks);
        }
        for (String t : types) {
            if (!supported.contains(t)) {
                throw c.error("config key '" + key + "' has unsupported block type '" + t + "' (supported: "
                        + String.join(", ", supported.stream().sorted().toList()) + ")");
            }
        }
        return List.copyOf(types);
    }

    private static void requireOneOf(Config c, String key, String fallback, Set<String> allowed) {
        String v = c.getString(key, fallback);
        if (!allowed.contains(v)) {
            throw c.error("config key '" + key + "' = '" + v + "' is not supported (supported: "
                    + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
    }

    private static void requireNoOnlyCrossAttention(Config c) {
        if (!c.has("only_cross_attention")) {
            return;
        }
        JsonElement e = c.json().get("only_cross_attention");
        boolean any = false;
        if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                any |= x.isJsonPrimitive() && x.getAsJsonPrimitive().isBoolean() && x.getAsBoolean();
            }
        } else {
            any = c.getBoolean("only_cross_attention", false);
        }
        if (any) {
            throw c.error("config key 'only_cross_attention' = " + e + " is not supported (must be false)");
        }
    }

    private static void positive(Config c, String key, int v) {
        if (v <= 0) {
            throw c.error("config key '" + key + "' = " + v + " must be > 0");
        }
    }

    private static void oddKernel(Config c, String key, int k) {
        if (k <= 0 || k % 2 == 0) {
            throw c.error("config key '" + key + "' = " + k + " must be a positive odd kernel size");
        }
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }
}
