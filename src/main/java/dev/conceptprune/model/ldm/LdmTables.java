package dev.conceptprune.model.ldm;

import static dev.conceptprune.model.ldm.LeafRule.convAsLinear;
import static dev.conceptprune.model.ldm.LeafRule.rename;
import static dev.conceptprune.model.ldm.LeafRule.same;
import static dev.conceptprune.model.ldm.LeafRule.third;
import static dev.conceptprune.model.ldm.LeafRule.transposed;

import dev.conceptprune.model.Component;
import java.util.ArrayList;
import java.util.List;

/**
 * The name tables between the original LDM layout and diffusers, generated from a layout: the
 * block index arithmetic lives here and nowhere else. Facts from diffusers'
 * {@code loaders/single_file_utils.py} and {@code scripts/convert_diffusers_to_original_stable_diffusion.py}.
 */
final class LdmTables {

    private static final List<LeafRule> UNET_ROOT = List.of(
            rename("time_embed.0", "time_embedding.linear_1"), rename("time_embed.2", "time_embedding.linear_2"),
            rename("input_blocks.0.0", "conv_in"), rename("out.0", "conv_norm_out"), rename("out.2", "conv_out"),
            rename("label_emb.0.0", "add_embedding.linear_1"), rename("label_emb.0.2", "add_embedding.linear_2"));
    private static final List<LeafRule> UNET_RESNET = List.of(
            rename("in_layers.0", "norm1"), rename("in_layers.2", "conv1"), rename("emb_layers.1", "time_emb_proj"),
            rename("out_layers.0", "norm2"), rename("out_layers.3", "conv2"),
            rename("skip_connection", "conv_shortcut"));
    /** The transformer blocks already carry diffusers' inner names in LDM files. */
    private static final List<LeafRule> UNET_ATTENTION = List.of(
            same("norm"), same("proj_in"), same("proj_out"), same("transformer_blocks"));

    private static final List<LeafRule> VAE_ROOT = List.of(
            same("encoder.conv_in"), same("encoder.conv_out"), rename("encoder.norm_out", "encoder.conv_norm_out"),
            same("decoder.conv_in"), same("decoder.conv_out"), rename("decoder.norm_out", "decoder.conv_norm_out"),
            same("quant_conv"), same("post_quant_conv"));
    private static final List<LeafRule> VAE_RESNET = List.of(
            same("norm1"), same("conv1"), same("norm2"), same("conv2"), rename("nin_shortcut", "conv_shortcut"));
    /** The VAE's mid attention stores its projections as 1x1 convolutions; diffusers has linears. */
    private static final List<LeafRule> VAE_ATTENTION = List.of(
            rename("norm", "group_norm"),
            convAsLinear("q.weight", "to_q.weight"), rename("q.bias", "to_q.bias"),
            convAsLinear("k.weight", "to_k.weight"), rename("k.bias", "to_k.bias"),
            convAsLinear("v.weight", "to_v.weight"), rename("v.bias", "to_v.bias"),
            convAsLinear("proj_out.weight", "to_out.0.weight"), rename("proj_out.bias", "to_out.0.bias"));
    private static final List<LeafRule> CONV = List.of(same("conv"));

    /** SD 1.x files hold the Hugging Face CLIP names as they are. */
    private static final List<LeafRule> CLIP_ROOT = List.of(
            same("text_model.embeddings.token_embedding"), same("text_model.embeddings.position_embedding"),
            same("text_model.final_layer_norm"), same("text_model.encoder.layers"));
    private static final List<LeafRule> OPEN_CLIP_ROOT = List.of(
            rename("token_embedding", "text_model.embeddings.token_embedding"),
            rename("positional_embedding", "text_model.embeddings.position_embedding.weight"),
            rename("ln_final", "text_model.final_layer_norm"));
    /** SDXL's second encoder is diffusers' CLIPTextModelWithProjection: its projection is a parameter there. */
    private static final List<LeafRule> OPEN_CLIP_PROJECTION = List.of(
            transposed("text_projection", "text_projection.weight"));
    private static final List<LeafRule> OPEN_CLIP_BLOCK = List.of(
            rename("ln_1", "layer_norm1"), rename("ln_2", "layer_norm2"),
            rename("mlp.c_fc", "mlp.fc1"), rename("mlp.c_proj", "mlp.fc2"),
            rename("attn.out_proj", "self_attn.out_proj"),
            third("attn.in_proj_weight", "self_attn.q_proj.weight", 0),
            third("attn.in_proj_weight", "self_attn.k_proj.weight", 1),
            third("attn.in_proj_weight", "self_attn.v_proj.weight", 2),
            third("attn.in_proj_bias", "self_attn.q_proj.bias", 0),
            third("attn.in_proj_bias", "self_attn.k_proj.bias", 1),
            third("attn.in_proj_bias", "self_attn.v_proj.bias", 2));

    private LdmTables() {
    }

    /**
     * The UNet: {@code input_blocks.0} is conv_in, then each down block takes layers+1 input blocks
     * (its resnets with their attentions, then the downsampler, which the last block lacks); each up
     * block takes layers+1 output blocks, the upsampler riding on the last one after its attention.
     */
    static NameTable unet(UNetLayout u) {
        List<ModuleRule> rules = new ArrayList<>();
        rules.add(new ModuleRule("", "", UNET_ROOT));
        int per = u.layersPerBlock() + 1;
        int n = u.blocks();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < u.layersPerBlock(); j++) {
                String in = "input_blocks." + (1 + i * per + j);
                rules.add(new ModuleRule(in + ".0", "down_blocks." + i + ".resnets." + j, UNET_RESNET));
                if (u.downAttention()[i]) {
                    rules.add(new ModuleRule(in + ".1", "down_blocks." + i + ".attentions." + j, UNET_ATTENTION));
                }
            }
            if (i < n - 1) {
                rules.add(new ModuleRule("input_blocks." + (i + 1) * per + ".0", "down_blocks." + i + ".downsamplers.0",
                        List.of(rename("op", "conv"))));
            }
            for (int j = 0; j < per; j++) {
                String out = "output_blocks." + (i * per + j);
                rules.add(new ModuleRule(out + ".0", "up_blocks." + i + ".resnets." + j, UNET_RESNET));
                if (u.upAttention()[i]) {
                    rules.add(new ModuleRule(out + ".1", "up_blocks." + i + ".attentions." + j, UNET_ATTENTION));
                }
            }
            if (i < n - 1) {
                String last = "output_blocks." + (i * per + per - 1) + (u.upAttention()[i] ? ".2" : ".1");
                rules.add(new ModuleRule(last, "up_blocks." + i + ".upsamplers.0", CONV));
            }
        }
        rules.add(new ModuleRule("middle_block.0", "mid_block.resnets.0", UNET_RESNET));
        rules.add(new ModuleRule("middle_block.1", "mid_block.attentions.0", UNET_ATTENTION));
        rules.add(new ModuleRule("middle_block.2", "mid_block.resnets.1", UNET_RESNET));
        return new NameTable(rules);
    }

    /** The VAE: the decoder's {@code up.I} are numbered from the lowest resolution up, diffusers' the other way. */
    static NameTable vae(VaeLayout v) {
        List<ModuleRule> rules = new ArrayList<>();
        rules.add(new ModuleRule("", "", VAE_ROOT));
        int n = v.blocks();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < v.layersPerBlock(); j++) {
                rules.add(new ModuleRule("encoder.down." + i + ".block." + j, "encoder.down_blocks." + i + ".resnets." + j,
                        VAE_RESNET));
            }
            rules.add(new ModuleRule("encoder.down." + i + ".downsample", "encoder.down_blocks." + i + ".downsamplers.0",
                    CONV));
            int stored = n - 1 - i;
            for (int j = 0; j <= v.layersPerBlock(); j++) {
                rules.add(new ModuleRule("decoder.up." + stored + ".block." + j, "decoder.up_blocks." + i + ".resnets." + j,
                        VAE_RESNET));
            }
            rules.add(new ModuleRule("decoder.up." + stored + ".upsample", "decoder.up_blocks." + i + ".upsamplers.0",
                    CONV));
        }
        for (String part : List.of("encoder", "decoder")) {
            rules.add(new ModuleRule(part + ".mid.block_1", part + ".mid_block.resnets.0", VAE_RESNET));
            rules.add(new ModuleRule(part + ".mid.attn_1", part + ".mid_block.attentions.0", VAE_ATTENTION));
            rules.add(new ModuleRule(part + ".mid.block_2", part + ".mid_block.resnets.1", VAE_RESNET));
        }
        return new NameTable(rules);
    }

    /**
     * The text encoder {@code c}. SD 2's OpenCLIP blocks after the penultimate have no rule: SD 2
     * never runs them, and diffusers' SD 2 text encoder has one layer fewer than the file. SDXL's
     * OpenCLIP encoder keeps every block and its projection.
     */
    static NameTable text(LdmFamily family, Component c, TextLayout t) {
        if (!family.openClip(c)) {
            return new NameTable(List.of(new ModuleRule("", "", CLIP_ROOT)));
        }
        List<ModuleRule> rules = new ArrayList<>();
        rules.add(new ModuleRule("", "", OPEN_CLIP_ROOT));
        if (family == LdmFamily.SDXL) {
            rules.add(new ModuleRule("", "", OPEN_CLIP_PROJECTION));
        }
        for (int k = 0; k < t.layers(); k++) {
            rules.add(new ModuleRule("transformer.resblocks." + k, "text_model.encoder.layers." + k, OPEN_CLIP_BLOCK));
        }
        return new NameTable(rules);
    }
}
