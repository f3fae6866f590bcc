package dev.conceptprune.model.ldm;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Made-up tensor names and shapes of an LDM single file, written from the LDM side (input and
 * output block numbering as the original UNet builds its module lists), for layouts the fixture
 * does not cover.
 */
final class SyntheticCheckpoint {
    static final String UNET = "model.diffusion_model.";
    static final String VAE = "first_stage_model.";

    final Map<String, long[]> shapes = new LinkedHashMap<>();
    private int[] channels = {64, 128};
    private int layers = 2;
    private boolean[] attention = {true, false};
    private int context = 96;
    private boolean linear;
    private int inChannels = 4;

    SyntheticCheckpoint unet(int[] channels, int layers, boolean[] attention, boolean linear) {
        this.channels = channels;
        this.layers = layers;
        this.attention = attention;
        this.linear = linear;
        return this;
    }

    SyntheticCheckpoint inChannels(int n) {
        this.inChannels = n;
        return this;
    }

    /** SD 1.x: the whole thing with a Hugging Face CLIP text encoder of {@code blocks} layers. */
    Map<String, long[]> sd1(int hidden, int blocks) {
        context = hidden;
        build();
        hfText("cond_stage_model.transformer.", hidden, blocks);
        return shapes;
    }

    /** SD 2.x: the whole thing with an OpenCLIP text encoder of {@code blocks} resblocks. */
    Map<String, long[]> sd2(int hidden, int blocks) {
        context = hidden;
        build();
        openClipText("cond_stage_model.model.", hidden, blocks, hidden);
        return shapes;
    }

    /**
     * SDXL base (SGM layout): CLIP in Hugging Face names and OpenCLIP with a {@code projection}-wide
     * text projection, the UNet cross-attending to both, and the added-condition embedding taking
     * the pooled text and six {@code timeChannels}-wide time-id embeddings.
     */
    Map<String, long[]> sdxl(int hidden1, int hidden2, int blocks, int projection, int timeChannels) {
        context = hidden1 + hidden2;
        build();
        int temb = 4 * channels[0];
        linear(UNET + "label_emb.0.0", temb, projection + 6 * timeChannels);
        linear(UNET + "label_emb.0.2", temb, temb);
        hfText("conditioner.embedders.0.transformer.", hidden1, blocks);
        openClipText("conditioner.embedders.1.model.", hidden2, blocks, projection);
        return shapes;
    }

    private void hfText(String prefix, int hidden, int blocks) {
        String p = prefix + "text_model.";
        put(p + "embeddings.token_embedding.weight", 1000, hidden);
        put(p + "embeddings.position_embedding.weight", 77, hidden);
        put(p + "embeddings.position_ids", 1, 77);
        for (int k = 0; k < blocks; k++) {
            String b = p + "encoder.layers." + k + ".";
            norm(b + "layer_norm1", hidden);
            norm(b + "layer_norm2", hidden);
            linear(b + "mlp.fc1", 4 * hidden, hidden);
            linear(b + "mlp.fc2", hidden, 4 * hidden);
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                linear(b + "self_attn." + proj, hidden, hidden);
            }
        }
        norm(p + "final_layer_norm", hidden);
    }

    private void openClipText(String p, int hidden, int blocks, int projection) {
        put(p + "positional_embedding", 77, hidden);
        put(p + "text_projection", hidden, projection);
        put(p + "logit_scale");
        put(p + "token_embedding.weight", 1000, hidden);
        for (int k = 0; k < blocks; k++) {
            String b = p + "transformer.resblocks." + k + ".";
            put(b + "attn.in_proj_weight", 3 * hidden, hidden);
            put(b + "attn.in_proj_bias", 3 * hidden);
            linear(b + "attn.out_proj", hidden, hidden);
            norm(b + "ln_1", hidden);
            norm(b + "ln_2", hidden);
            linear(b + "mlp.c_fc", 4 * hidden, hidden);
            linear(b + "mlp.c_proj", hidden, 4 * hidden);
        }
        norm(p + "ln_final", hidden);
    }

    private void build() {
        int c0 = channels[0];
        int temb = 4 * c0;
        linear(UNET + "time_embed.0", temb, c0);
        linear(UNET + "time_embed.2", temb, temb);
        conv(UNET + "input_blocks.0.0", c0, inChannels, 3);
        Deque<Integer> skips = new ArrayDeque<>();
        skips.push(c0);
        int block = 1;
        int cin = c0;
        int n = channels.length;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < layers; j++, block++) {
                resnet(UNET + "input_blocks." + block + ".0", cin, channels[i], temb);
                if (attention[i]) {
                    transformer(UNET + "input_blocks." + block + ".1", channels[i]);
                }
                cin = channels[i];
                skips.push(cin);
            }
            if (i < n - 1) {
                conv(UNET + "input_blocks." + block + ".0.op", cin, cin, 3);
                skips.push(cin);
                block++;
            }
        }
        resnet(UNET + "middle_block.0", cin, cin, temb);
        transformer(UNET + "middle_block.1", cin);
        resnet(UNET + "middle_block.2", cin, cin, temb);
        block = 0;
        for (int level = n - 1; level >= 0; level--) {
            int out = channels[level];
            for (int j = 0; j <= layers; j++, block++) {
                resnet(UNET + "output_blocks." + block + ".0", cin + skips.pop(), out, temb);
                cin = out;
                if (attention[level]) {
                    transformer(UNET + "output_blocks." + block + ".1", out);
                }
                if (j == layers && level > 0) {
                    conv(UNET + "output_blocks." + block + (attention[level] ? ".2" : ".1") + ".conv", out, out, 3);
                }
            }
        }
        norm(UNET + "out.0", c0);
        conv(UNET + "out.2", 4, c0, 3);
        vae(new int[] {32, 64}, 1, 4);
    }

    private void vae(int[] ch, int layers, int latent) {
        conv(VAE + "encoder.conv_in", ch[0], 3, 3);
        int cin = ch[0];
        for (int i = 0; i < ch.length; i++) {
            for (int j = 0; j < layers; j++) {
                vaeResnet(VAE + "encoder.down." + i + ".block." + j, cin, ch[i]);
                cin = ch[i];
            }
            if (i < ch.length - 1) {
                conv(VAE + "encoder.down." + i + ".downsample.conv", cin, cin, 3);
            }
        }
        vaeMid(VAE + "encoder.mid", cin);
        norm(VAE + "encoder.norm_out", cin);
        conv(VAE + "encoder.conv_out", 2 * latent, cin, 3);
        conv(VAE + "quant_conv", 2 * latent, 2 * latent, 1);
        conv(VAE + "post_quant_conv", latent, latent, 1);
        conv(VAE + "decoder.conv_in", cin, latent, 3);
        vaeMid(VAE + "decoder.mid", cin);
        for (int i = ch.length - 1; i >= 0; i--) {
            for (int j = 0; j <= layers; j++) {
                vaeResnet(VAE + "decoder.up." + i + ".block." + j, cin, ch[i]);
                cin = ch[i];
            }
            if (i > 0) {
                conv(VAE + "decoder.up." + i + ".upsample.conv", cin, cin, 3);
            }
        }
        norm(VAE + "decoder.norm_out", cin);
        conv(VAE + "decoder.conv_out", 3, cin, 3);
    }

    private void vaeMid(String p, int c) {
        vaeResnet(p + ".block_1", c, c);
        norm(p + ".attn_1.norm", c);
        for (String proj : new String[] {"q", "k", "v", "proj_out"}) {
            conv(p + ".attn_1." + proj, c, c, 1);
        }
        vaeResnet(p + ".block_2", c, c);
    }

    private void vaeResnet(String p, int cin, int cout) {
        norm(p + ".norm1", cin);
        conv(p + ".conv1", cout, cin, 3);
        norm(p + ".norm2", cout);
        conv(p + ".conv2", cout, cout, 3);
        if (cin != cout) {
            conv(p + ".nin_shortcut", cout, cin, 1);
        }
    }

    private void resnet(String p, int cin, int cout, int temb) {
        norm(p + ".in_layers.0", cin);
        conv(p + ".in_layers.2", cout, cin, 3);
        linear(p + ".emb_layers.1", cout, temb);
        norm(p + ".out_layers.0", cout);
        conv(p + ".out_layers.3", cout, cout, 3);
        if (cin != cout) {
            conv(p + ".skip_connection", cout, cin, 1);
        }
    }

    private void transformer(String p, int c) {
        norm(p + ".norm", c);
        projection(p + ".proj_in", c);
        String t = p + ".transformer_blocks.0.";
        for (String attn : new String[] {"attn1", "attn2"}) {
            int kv = attn.equals("attn1") ? c : context;
            put(t + attn + ".to_q.weight", c, c);
            put(t + attn + ".to_k.weight", c, kv);
            put(t + attn + ".to_v.weight", c, kv);
            linear(t + attn + ".to_out.0", c, c);
        }
        linear(t + "ff.net.0.proj", 8 * c, c);
        linear(t + "ff.net.2", c, 4 * c);
        for (String nrm : new String[] {"norm1", "norm2", "norm3"}) {
            norm(t + nrm, c);
        }
        projection(p + ".proj_out", c);
    }

    private void projection(String p, int c) {
        if (linear) {
            linear(p, c, c);
        } else {
            conv(p, c, c, 1);
        }
    }

    private void conv(String p, int out, int in, int k) {
        put(p + ".weight", out, in, k, k);
        put(p + ".bias", out);
    }

    private void linear(String p, int out, int in) {
        put(p + ".weight", out, in);
        put(p + ".bias", out);
    }

    private void norm(String p, int c) {
        put(p + ".weight", c);
        put(p + ".bias", c);
    }

    private void put(String name, long... shape) {
        shapes.put(name, shape);
    }
}
