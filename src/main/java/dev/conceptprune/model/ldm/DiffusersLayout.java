package dev.conceptprune.model.ldm;

import dev.conceptprune.io.Config;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import java.util.List;

/**
 * The {@link LdmLayout} of a diffusers model, read from its component configs, so that its
 * tensors can be placed under single-file names. SD 1.x and SDXL base models (those with a
 * {@code text_encoder_2}) can be written as a single file; SD 2.x cannot: its diffusers text
 * encoder lacks the last OpenCLIP block that SD 2 files carry (and that A1111 and ComfyUI load),
 * so no faithful file can be made from it. SDXL's second encoder keeps every block.
 */
public final class DiffusersLayout {
    private DiffusersLayout() {
    }

    /** The layout of {@code model}'s UNet, VAE and text encoder(s). */
    public static LdmLayout of(ModelSource model) {
        Config text = model.config(Component.TEXT_ENCODER);
        String act = text.getString("hidden_act", "quick_gelu");
        if (!act.equals("quick_gelu")) {
            throw new UnsupportedCheckpointException("the text encoder (hidden_act '" + act
                    + "') is not the CLIP ViT-L of SD 1.x and SDXL; only SD 1.x and SDXL base models can be written"
                    + " as a single file (an SD 2.x diffusers text encoder lacks the last OpenCLIP block its single"
                    + " file holds)");
        }
        boolean xl = model.has(Component.TEXT_ENCODER_2);
        Config unet = model.config(Component.UNET);
        String added = unet.getString("addition_embed_type", null);
        if (xl != "text_time".equals(added)) {
            throw new UnsupportedCheckpointException(xl
                    ? "the model has a text_encoder_2 but its UNet's addition_embed_type is " + added
                            + ", not SDXL's text_time; only SDXL base models with two text encoders can be written"
                    : "the UNet's addition_embed_type is " + added + " without SDXL's text_encoder_2; no single-file"
                            + " layout holds it");
        }
        TextLayout text2 = xl ? text(model.config(Component.TEXT_ENCODER_2)) : null;
        return new LdmLayout(xl ? LdmFamily.SDXL : LdmFamily.SD1, unet(unet), vae(model.config(Component.VAE)),
                text(text), text2);
    }

    private static UNetLayout unet(Config c) {
        int[] channels = c.getIntArray("block_out_channels");
        int blocks = channels.length;
        List<String> down = c.getStringList("down_block_types");
        List<String> up = c.getStringList("up_block_types");
        if (down.size() != blocks || up.size() != blocks) {
            throw c.error("down_block_types and up_block_types need one entry per block_out_channels entry");
        }
        boolean[] downAttention = new boolean[blocks];
        boolean[] upAttention = new boolean[blocks];
        for (int i = 0; i < blocks; i++) {
            downAttention[i] = down.get(i).startsWith("CrossAttn");
            upAttention[i] = up.get(i).startsWith("CrossAttn");
        }
        int timeEmbed = c.has("time_embedding_dim") ? c.getInt("time_embedding_dim") : 4 * channels[0];
        return new UNetLayout(c.getInt("in_channels"), c.getInt("out_channels"), channels,
                c.getInt("layers_per_block"), downAttention, upAttention,
                depth(c, blocks), c.getInt("cross_attention_dim"),
                c.getBoolean("use_linear_projection", false), c.getInt("conv_in_kernel", 3),
                c.getInt("conv_out_kernel", 3), timeEmbed,
                c.getInt("projection_class_embeddings_input_dim", 0));
    }

    /** Transformer blocks per attention; diffusers' default is one. */
    private static int[] depth(Config c, int blocks) {
        if (c.has("transformer_layers_per_block")) {
            return c.getIntOrPerBlock("transformer_layers_per_block", blocks);
        }
        int[] one = new int[blocks];
        java.util.Arrays.fill(one, 1);
        return one;
    }

    private static VaeLayout vae(Config c) {
        return new VaeLayout(c.getInt("in_channels"), c.getInt("out_channels"), c.getInt("latent_channels"),
                c.getIntArray("block_out_channels"), c.getInt("layers_per_block"),
                c.getBoolean("use_quant_conv", true), c.getBoolean("use_post_quant_conv", true));
    }

    private static TextLayout text(Config c) {
        int hidden = c.getInt("hidden_size");
        int layers = c.getInt("num_hidden_layers");
        return new TextLayout(c.getInt("vocab_size"), hidden, layers, layers, c.getInt("intermediate_size"),
                c.getInt("max_position_embeddings"), c.getInt("projection_dim", hidden));
    }
}
