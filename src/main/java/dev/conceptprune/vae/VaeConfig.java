package dev.conceptprune.vae;

import dev.conceptprune.io.Config;
import java.util.List;

/**
 * The sizes of a diffusers {@code AutoencoderKL}, from {@code vae/config.json}.
 *
 * @param shiftFactor added after dividing by {@code scalingFactor} when decoding; null when the
 *                    config has none (SD 1.x/2.x)
 * @param sampleSize  {@code sample_size}, the image side the VAE was trained at; diffusers' tiled
 *                    decode takes its tile side from it
 */
public record VaeConfig(int inChannels, int outChannels, int latentChannels, int[] blockOutChannels,
                        int layersPerBlock, int normGroups, double scalingFactor, Double shiftFactor,
                        boolean useQuantConv, boolean usePostQuantConv, boolean midBlockAttention,
                        int sampleSize) {

    /** diffusers hard-codes this epsilon for every GroupNorm of the VAE. */
    public static final double NORM_EPS = 1e-6;

    /** Copies the channel list so that the record stays immutable. */
    public VaeConfig {
        blockOutChannels = blockOutChannels.clone();
    }

    private static final String DOWN_TYPE = "DownEncoderBlock2D";
    private static final String UP_TYPE = "UpDecoderBlock2D";

    /** Reads and checks the config; every error names the offending key. */
    public static VaeConfig from(Config c) {
        String cls = c.getString("_class_name", "AutoencoderKL");
        if (!cls.equals("AutoencoderKL")) {
            throw c.error("config key '_class_name' is '" + cls + "', expected AutoencoderKL");
        }
        int[] blocks = c.getIntArray("block_out_channels");
        if (blocks.length == 0) {
            throw c.error("config key 'block_out_channels' must list at least one block");
        }
        checkBlockTypes(c, "down_block_types", DOWN_TYPE, blocks.length);
        checkBlockTypes(c, "up_block_types", UP_TYPE, blocks.length);
        String act = c.getString("act_fn", "silu");
        if (!act.equals("silu")) {
            throw c.error("config key 'act_fn' is '" + act + "'; only silu is supported");
        }
        for (String key : new String[] {"latents_mean", "latents_std"}) {
            if (c.has(key)) {
                throw c.error("config key '" + key + "' is set; latent normalisation (SDXL-style) is not supported");
            }
        }
        VaeConfig cfg = new VaeConfig(c.getInt("in_channels", 3), c.getInt("out_channels", 3),
                c.getInt("latent_channels", 4), blocks, c.getInt("layers_per_block", 1),
                c.getInt("norm_num_groups", 32), c.getDouble("scaling_factor", 0.18215),
                c.has("shift_factor") ? c.getDouble("shift_factor") : null,
                c.getBoolean("use_quant_conv", true), c.getBoolean("use_post_quant_conv", true),
                c.getBoolean("mid_block_add_attention", true), sampleSize(c));
        positive(c, "in_channels", cfg.inChannels);
        positive(c, "out_channels", cfg.outChannels);
        positive(c, "latent_channels", cfg.latentChannels);
        positive(c, "layers_per_block", cfg.layersPerBlock);
        positive(c, "sample_size", cfg.sampleSize);
        positive(c, "norm_num_groups", cfg.normGroups);
        for (int ch : blocks) {
            if (ch <= 0 || ch % cfg.normGroups != 0) {
                throw c.error("config key 'norm_num_groups' " + cfg.normGroups
                        + " does not divide block_out_channels entry " + ch);
            }
        }
        if (!(cfg.scalingFactor > 0) || Double.isInfinite(cfg.scalingFactor)) {
            throw c.error("config key 'scaling_factor' must be a positive number, found " + cfg.scalingFactor);
        }
        return cfg;
    }

    /** diffusers' {@code AutoencoderKL} default is 32; a [height, width] pair tiles by its first entry, as diffusers does. */
    private static int sampleSize(Config c) {
        if (c.has("sample_size") && c.json().get("sample_size").isJsonArray()) {
            int[] pair = c.getIntArray("sample_size");
            if (pair.length == 0) {
                throw c.error("config key 'sample_size' is an empty list");
            }
            return pair[0];
        }
        return c.getInt("sample_size", 32);
    }

    private static void checkBlockTypes(Config c, String key, String supported, int blocks) {
        List<String> types = c.getStringList(key);
        if (types.size() != blocks) {
            throw c.error("config key '" + key + "' lists " + types.size() + " blocks but block_out_channels "
                    + blocks);
        }
        for (String t : types) {
            if (!t.equals(supported)) {
                throw c.error("config key '" + key + "' has unsupported block type '" + t + "' (only "
                        + supported + ")");
            }
        }
    }

    private static void positive(Config c, String key, int value) {
        if (value <= 0) {
            throw c.error("config key '" + key + "' must be > 0, found " + value);
        }
    }

    /** Image side / latent side: one halving per down block but the last. */
    public int scaleFactor() {
        return 1 << (blockOutChannels.length - 1);
    }

    /** A copy of {@code block_out_channels}. */
    @Override
    public int[] blockOutChannels() {
        return blockOutChannels.clone();
    }

    /** Channels of block {@code i} ({@code block_out_channels[i]}). */
    public int channels(int i) {
        return blockOutChannels[i];
    }

    /** Number of down (and up) blocks. */
    public int blocks() {
        return blockOutChannels.length;
    }
}
