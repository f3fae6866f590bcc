package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Arrays;

/**
 * The diffusers configs of a single file, from its layout and its family's conventions: the same
 * keys diffusers' {@code config.json} files have, so the existing config readers take them as
 * they are. {@code _diffusers_version} is left out: no diffusers release wrote these.
 */
public final class LdmConfigs {
    /** SD 1.x and 2.x VAEs were trained with latents scaled by this; the file does not store it. */
    public static final double VAE_SCALING_FACTOR = 0.18215;
    /** SDXL's VAE was trained with latents scaled by this. */
    public static final double SDXL_VAE_SCALING_FACTOR = 0.13025;
    /** SDXL's time ids: original size (h, w), crop top-left (top, left), target size (h, w). */
    static final int SDXL_TIME_IDS = 6;
    /** SD 2.x and SDXL attention heads are 64 wide (the LDM config's {@code num_head_channels}). */
    static final int SD2_HEAD_WIDTH = 64;
    /** SD 1.x has 8 heads in every block (the LDM config's {@code num_heads}). */
    static final int SD1_HEADS = 8;
    /** CLIP text encoders have 64-wide heads. */
    static final int TEXT_HEAD_WIDTH = 64;

    private final LdmLayout layout;
    private final String predictionType;
    private final OriginalConfig original;

    private LdmConfigs(LdmLayout layout, String predictionType, OriginalConfig original) {
        this.layout = layout;
        this.predictionType = predictionType;
        this.original = original;
    }

    /**
     * The configs of a layout.
     *
     * @param predictionType "epsilon" or "v_prediction", or null for the family's default:
     *        epsilon for SD 1.x and SDXL, v_prediction for SD 2.x (SD 2.1 768; SD 2.x base models
     *        need epsilon, which the weights do not reveal)
     */
    public static LdmConfigs infer(LdmLayout layout, String predictionType) {
        return infer(layout, predictionType, null);
    }

    /**
     * The configs of a layout with the settings of its original LDM config, where one is given.
     *
     * @param predictionType as in {@link #infer(LdmLayout, String)}; wins over the original config's
     * @param original the file's LDM training config, or null
     * @throws UnsupportedCheckpointException when the original config contradicts the weights
     */
    public static LdmConfigs infer(LdmLayout layout, String predictionType, OriginalConfig original) {
        String p = predictionType != null ? predictionType
                : original != null && original.predictionType() != null ? original.predictionType()
                : layout.family() == LdmFamily.SD2 ? "v_prediction" : "epsilon";
        if (!p.equals("epsilon") && !p.equals("v_prediction")) {
            throw new UnsupportedCheckpointException("prediction type '" + p + "' is not epsilon or v_prediction");
        }
        if (original != null) {
            UNetLayout u = layout.unet();
            if (original.contextDim() != null && original.contextDim() != u.crossAttentionDim()) {
                throw contradiction(original, "context_dim " + original.contextDim(), "cross-attention width "
                        + u.crossAttentionDim());
            }
            if (original.linearProjection() != null && original.linearProjection() != u.linearProjection()) {
                throw contradiction(original, "use_linear_in_transformer " + original.linearProjection(),
                        u.linearProjection() ? "linear projections" : "1x1-conv projections");
            }
        }
        return new LdmConfigs(layout, p, original);
    }

    private static UnsupportedCheckpointException contradiction(OriginalConfig original, String says, String weights) {
        return new UnsupportedCheckpointException(original.file() + " says " + says + " but the checkpoint's weights"
                + " have " + weights + "; it is the config of another model");
    }

    /** Whether an original LDM config was given. */
    public boolean hasOriginalConfig() {
        return original != null;
    }

    public String predictionType() {
        return predictionType;
    }

    /**
     * {@code unet/config.json}.
     *
     * @throws UnsupportedCheckpointException when the block widths do not fit the family's heads
     */
    public JsonObject unet() {
        JsonObject c = unetStructure();
        c.add("attention_head_dim", heads(layout.unet(), layout.family() != LdmFamily.SD1));
        return c;
    }

    /** The UNet config without {@code attention_head_dim}: everything the weights themselves reveal. */
    JsonObject unetStructure() {
        UNetLayout u = layout.unet();
        boolean sd2 = layout.family() == LdmFamily.SD2;
        boolean xl = layout.family() == LdmFamily.SDXL;
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", "UNet2DConditionModel");
        c.addProperty("sample_size", latentSize());
        c.addProperty("in_channels", u.inChannels());
        c.addProperty("out_channels", u.outChannels());
        c.addProperty("center_input_sample", false);
        c.addProperty("flip_sin_to_cos", true);
        c.addProperty("freq_shift", 0);
        JsonArray down = new JsonArray();
        JsonArray up = new JsonArray();
        for (int i = 0; i < u.blocks(); i++) {
            down.add(u.downAttention()[i] ? "CrossAttnDownBlock2D" : "DownBlock2D");
            up.add(u.upAttention()[i] ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        c.add("down_block_types", down);
        c.addProperty("mid_block_type", "UNetMidBlock2DCrossAttn");
        c.add("up_block_types", up);
        c.addProperty("only_cross_attention", false);
        c.add("block_out_channels", ints(u.blockOutChannels()));
        c.addProperty("layers_per_block", u.layersPerBlock());
        c.addProperty("downsample_padding", 1);
        c.addProperty("mid_block_scale_factor", 1);
        c.addProperty("dropout", 0.0);
        c.addProperty("act_fn", "silu");
        c.addProperty("norm_num_groups", 32);
        c.addProperty("norm_eps", 1e-5);
        c.addProperty("cross_attention_dim", u.crossAttentionDim());
        c.add("transformer_layers_per_block", intOrList(u.transformerDepth()));
        c.add("reverse_transformer_layers_per_block", JsonNull.INSTANCE);
        c.add("encoder_hid_dim", JsonNull.INSTANCE);
        c.add("encoder_hid_dim_type", JsonNull.INSTANCE);
        c.add("num_attention_heads", JsonNull.INSTANCE);
        c.addProperty("dual_cross_attention", false);
        c.addProperty("use_linear_projection", u.linearProjection());
        c.add("class_embed_type", JsonNull.INSTANCE);
        if (xl) {
            c.addProperty("addition_embed_type", "text_time");
            c.addProperty("addition_time_embed_dim", additionTimeEmbedDim(u));
        } else {
            c.add("addition_embed_type", JsonNull.INSTANCE);
            c.add("addition_time_embed_dim", JsonNull.INSTANCE);
        }
        c.add("num_class_embeds", JsonNull.INSTANCE);
        // SD 2.1 upcasts attention to float32 (2.0 did not; the weights cannot tell them apart).
        c.addProperty("upcast_attention", sd2);
        c.addProperty("resnet_time_scale_shift", "default");
        c.addProperty("resnet_skip_time_act", false);
        c.addProperty("resnet_out_scale_factor", 1.0);
        c.addProperty("time_embedding_type", "positional");
        if (u.timeEmbedDim() == 4 * u.blockOutChannels()[0]) {
            c.add("time_embedding_dim", JsonNull.INSTANCE);
        } else {
            c.addProperty("time_embedding_dim", u.timeEmbedDim());
        }
        c.add("time_embedding_act_fn", JsonNull.INSTANCE);
        c.add("timestep_post_act", JsonNull.INSTANCE);
        c.add("time_cond_proj_dim", JsonNull.INSTANCE);
        c.addProperty("conv_in_kernel", u.convInKernel());
        c.addProperty("conv_out_kernel", u.convOutKernel());
        if (xl) {
            c.addProperty("projection_class_embeddings_input_dim", u.addEmbedInput());
        } else {
            c.add("projection_class_embeddings_input_dim", JsonNull.INSTANCE);
        }
        c.addProperty("attention_type", "default");
        c.addProperty("class_embeddings_concat", false);
        c.add("mid_block_only_cross_attention", JsonNull.INSTANCE);
        c.add("cross_attention_norm", JsonNull.INSTANCE);
        c.addProperty("addition_embed_type_num_heads", 64);
        return c;
    }

    /** {@code vae/config.json}. */
    public JsonObject vae() {
        VaeLayout v = layout.vae();
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", "AutoencoderKL");
        c.addProperty("in_channels", v.inChannels());
        c.addProperty("out_channels", v.outChannels());
        JsonArray down = new JsonArray();
        JsonArray up = new JsonArray();
        for (int i = 0; i < v.blocks(); i++) {
            down.add("DownEncoderBlock2D");
            up.add("UpDecoderBlock2D");
        }
        c.add("down_block_types", down);
        c.add("up_block_types", up);
        c.add("block_out_channels", ints(v.blockOutChannels()));
        c.addProperty("layers_per_block", v.layersPerBlock());
        c.addProperty("act_fn", "silu");
        c.addProperty("latent_channels", v.latentChannels());
        c.addProperty("norm_num_groups", 32);
        c.addProperty("sample_size", latentSize() * vaeScale());
        c.addProperty("scaling_factor", original != null && original.scaleFactor() != null ? original.scaleFactor()
                : layout.family() == LdmFamily.SDXL ? SDXL_VAE_SCALING_FACTOR : VAE_SCALING_FACTOR);
        c.add("shift_factor", JsonNull.INSTANCE);
        c.add("latents_mean", JsonNull.INSTANCE);
        c.add("latents_std", JsonNull.INSTANCE);
        c.addProperty("force_upcast", true);
        c.addProperty("use_quant_conv", v.useQuantConv());
        c.addProperty("use_post_quant_conv", v.usePostQuantConv());
        return c;
    }

    /** {@code text_encoder/config.json}: CLIP ViT-L/14 conventions for SD 1.x and SDXL, OpenCLIP ViT-H/14 for SD 2.x. */
    public JsonObject textEncoder() {
        return textEncoder(Component.TEXT_ENCODER);
    }

    /**
     * The config of text encoder {@code component}; SDXL's second is OpenCLIP ViT-bigG/14 as
     * diffusers' {@code CLIPTextModelWithProjection}.
     */
    private JsonObject textEncoder(Component component) {
        TextLayout t = layout.text(component);
        boolean openClip = layout.family().openClip(component);
        if (t.hiddenSize() % TEXT_HEAD_WIDTH != 0) {
            throw new UnsupportedCheckpointException("the text encoder's width " + t.hiddenSize()
                    + " is not a multiple of the 64-wide CLIP heads, so its config cannot be inferred from the checkpoint");
        }
        JsonObject c = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add(component == Component.TEXT_ENCODER_2 ? "CLIPTextModelWithProjection" : "CLIPTextModel");
        c.add("architectures", arch);
        c.addProperty("model_type", "clip_text_model");
        c.addProperty("vocab_size", t.vocabSize());
        c.addProperty("hidden_size", t.hiddenSize());
        c.addProperty("intermediate_size", t.intermediateSize());
        c.addProperty("projection_dim", t.projectionDim());
        c.addProperty("num_hidden_layers", t.layers());
        c.addProperty("num_attention_heads", t.hiddenSize() / TEXT_HEAD_WIDTH);
        c.addProperty("max_position_embeddings", t.maxPositions());
        c.addProperty("layer_norm_eps", 1e-5);
        c.addProperty("hidden_act", openClip ? "gelu" : "quick_gelu");
        c.addProperty("initializer_range", 0.02);
        c.addProperty("initializer_factor", 1.0);
        c.addProperty("attention_dropout", 0.0);
        c.addProperty("bos_token_id", 0);
        c.addProperty("pad_token_id", 1);
        c.addProperty("eos_token_id", 2);
        return c;
    }

    /**
     * {@code scheduler/scheduler_config.json}: SD 1.5's PNDM; for SD 2.x with v-prediction SD 2.1's
     * DDIM, with epsilon SD 2.x base's PNDM; SDXL base's Euler.
     */
    public JsonObject scheduler() {
        if (layout.family() == LdmFamily.SDXL) {
            return sdxlScheduler();
        }
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", schedulerClass());
        c.addProperty("beta_end", 0.012);
        c.addProperty("beta_schedule", "scaled_linear");
        c.addProperty("beta_start", 0.00085);
        c.addProperty("num_train_timesteps", 1000);
        if (layout.family() == LdmFamily.SD2 || !predictionType.equals("epsilon")) {
            c.addProperty("prediction_type", predictionType);
        }
        c.addProperty("set_alpha_to_one", false);
        c.addProperty("skip_prk_steps", true);
        c.addProperty("steps_offset", 1);
        c.add("trained_betas", JsonNull.INSTANCE);
        c.addProperty("clip_sample", false);
        return c;
    }

    /** SDXL base's {@code EulerDiscreteScheduler}: leading spacing, steps offset 1, SD's scaled-linear betas. */
    private JsonObject sdxlScheduler() {
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", "EulerDiscreteScheduler");
        c.addProperty("beta_end", 0.012);
        c.addProperty("beta_schedule", "scaled_linear");
        c.addProperty("beta_start", 0.00085);
        c.addProperty("clip_sample", false);
        c.addProperty("interpolation_type", "linear");
        c.addProperty("num_train_timesteps", 1000);
        c.addProperty("prediction_type", predictionType);
        c.addProperty("sample_max_value", 1.0);
        c.addProperty("set_alpha_to_one", false);
        c.addProperty("skip_prk_steps", true);
        c.addProperty("steps_offset", 1);
        c.addProperty("timestep_spacing", "leading");
        c.add("trained_betas", JsonNull.INSTANCE);
        c.addProperty("use_karras_sigmas", false);
        return c;
    }

    /** {@code model_index.json}, without the safety checker and feature extractor single files lack. */
    public JsonObject modelIndex() {
        if (layout.family() == LdmFamily.SDXL) {
            return sdxlModelIndex();
        }
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", "StableDiffusionPipeline");
        c.add("feature_extractor", pair(null, null));
        c.add("image_encoder", pair(null, null));
        c.addProperty("requires_safety_checker", false);
        c.add("safety_checker", pair(null, null));
        c.add("scheduler", pair("diffusers", schedulerClass()));
        c.add("text_encoder", pair("transformers", "CLIPTextModel"));
        c.add("tokenizer", pair("transformers", "CLIPTokenizer"));
        c.add("unet", pair("diffusers", "UNet2DConditionModel"));
        c.add("vae", pair("diffusers", "AutoencoderKL"));
        return c;
    }

    /** {@code model_index.json} of a {@code StableDiffusionXLPipeline}, empty prompts giving zero negatives as SDXL base does. */
    private JsonObject sdxlModelIndex() {
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", "StableDiffusionXLPipeline");
        c.add("feature_extractor", pair(null, null));
        c.addProperty("force_zeros_for_empty_prompt", true);
        c.add("image_encoder", pair(null, null));
        c.add("scheduler", pair("diffusers", "EulerDiscreteScheduler"));
        c.add("text_encoder", pair("transformers", "CLIPTextModel"));
        c.add("text_encoder_2", pair("transformers", "CLIPTextModelWithProjection"));
        c.add("tokenizer", pair("transformers", "CLIPTokenizer"));
        c.add("tokenizer_2", pair("transformers", "CLIPTokenizer"));
        c.add("unet", pair("diffusers", "UNet2DConditionModel"));
        c.add("vae", pair("diffusers", "AutoencoderKL"));
        return c;
    }

    /** The config of a component. */
    public JsonObject of(Component c) {
        if (!layout.family().components().contains(c)) {
            throw new IllegalArgumentException(layout.family().label() + " single files hold no " + c);
        }
        return switch (c) {
            case UNET -> unet();
            case VAE -> vae();
            default -> textEncoder(c);
        };
    }

    /**
     * SDXL's {@code addition_time_embed_dim}: the added-condition embedding takes the pooled text
     * (the second encoder's projection width) and each time id embedded with this many channels.
     */
    private int additionTimeEmbedDim(UNetLayout u) {
        int pooled = layout.text2().projectionDim();
        int rest = u.addEmbedInput() - pooled;
        if (rest <= 0 || rest % SDXL_TIME_IDS != 0) {
            throw new UnsupportedCheckpointException("the UNet's added-condition embedding takes " + u.addEmbedInput()
                    + " inputs, which is not the pooled text width " + pooled + " plus " + SDXL_TIME_IDS
                    + " equal time-id embeddings");
        }
        return rest / SDXL_TIME_IDS;
    }

    private String schedulerClass() {
        return predictionType.equals("v_prediction") ? "DDIMScheduler" : "PNDMScheduler";
    }

    private int vaeScale() {
        return 1 << (layout.vae().blocks() - 1);
    }

    /** The trained latent side: the original config's, else the family's image size. */
    private int latentSize() {
        return original != null && original.latentSize() != null ? original.latentSize()
                : layout.family().imageSize() / vaeScale();
    }

    /**
     * diffusers' {@code attention_head_dim}, which counts heads: the original config's
     * {@code num_heads}, or block width over its {@code num_head_channels}; else the family's
     * convention (8 heads for SD 1.x, 64-wide heads for SD 2.x and SDXL).
     */
    private JsonElement heads(UNetLayout u, boolean headWidth64) {
        Integer count = original == null ? null : original.numHeads();
        Integer width = original == null ? null : original.numHeadChannels();
        if (count != null) {
            return new JsonPrimitive(count);
        }
        if (width == null && !headWidth64) {
            return new JsonPrimitive(SD1_HEADS);
        }
        int w = width != null ? width : SD2_HEAD_WIDTH;
        int[] heads = u.blockOutChannels();
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] % w != 0) {
                throw new UnsupportedCheckpointException("UNet block width " + heads[i] + " is not a multiple of its "
                        + w + "-wide attention heads, so the UNet config cannot be inferred from the checkpoint;"
                        + " give the model's diffusers configs");
            }
            heads[i] /= w;
        }
        return ints(heads);
    }

    private static JsonArray ints(int[] values) {
        JsonArray a = new JsonArray();
        Arrays.stream(values).forEach(a::add);
        return a;
    }

    private static JsonElement intOrList(int[] values) {
        boolean uniform = Arrays.stream(values).allMatch(v -> v == values[0]);
        return uniform ? new JsonPrimitive(values[0]) : ints(values);
    }

    private static JsonArray pair(String library, String className) {
        JsonArray a = new JsonArray();
        a.add(library);
        a.add(className);
        return a;
    }
}
