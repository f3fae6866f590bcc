package dev.conceptprune.bench;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.nn.Params;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.clip.ClipTextConfig;
import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.unet.UNet2DConditionModel;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.AutoencoderKL;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.Preset;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.runtime.MemoryCheck;
import java.util.Collection;

/**
 * The networks a text-to-image run computes with, built into one manager either from a model
 * folder's weights or from a preset's configs with seeded random weights. Only the components a
 * benchmark times are built (SDXL's UNet alone is 10 GB in float32); the others are null.
 *
 * @param description what was built, for the report
 * @param parameters  weights built, over every component (random weights have no file to count them from)
 */
public record BenchModels(String description, ClipTextModel textEncoder, ClipTextModel textEncoder2,
                          UNet2DConditionModel unet, AutoencoderKL vae, long parameters) {

    /** Loads the {@code components} (names of {@link ComponentBench#COMPONENTS}) of a model for {@code runtime}. */
    public static BenchModels load(ModelSource source, Runtime runtime, NDManager manager,
                                   Collection<String> components) {
        ClipTextModel text = components.contains("text_encoder") ? ClipTextModel.load(source,
                ClipTextConfig.from(source.config(Component.TEXT_ENCODER)), runtime, manager) : null;
        ClipTextModel text2 = components.contains("text_encoder_2") ? secondEncoder(source, runtime, manager) : null;
        UNet2DConditionModel unet = components.contains("unet") ? UNet2DConditionModel.load(source, runtime, manager)
                : null;
        AutoencoderKL vae = components.contains("vae_decoder") ? AutoencoderKL.load(source, runtime, manager) : null;
        return new BenchModels(source.location().toString(), text, text2, unet, vae,
                MemoryCheck.parameterCount(source, ComponentBench.weightComponents(components)));
    }

    /** SDXL's {@code text_encoder_2}, a CLIPTextModelWithProjection. */
    private static ClipTextModel secondEncoder(ModelSource source, Runtime runtime, NDManager manager) {
        ClipTextConfig config = ClipTextConfig.from(source.config(Component.TEXT_ENCODER_2));
        try (TensorSource store = source.tensors(Component.TEXT_ENCODER_2)) {
            return new ClipTextModel(config, new Params(store, runtime, manager), true);
        }
    }

    /** Builds a preset's {@code components} for {@code runtime} with N(0, 0.02) weights drawn from {@code seed}. */
    public static BenchModels random(Preset preset, Runtime runtime, NDManager manager, long seed,
                                     Collection<String> components) {
        Params p = Params.random(runtime, manager, seed);
        ClipTextModel text = components.contains("text_encoder") ? new ClipTextModel(
                ClipTextConfig.from(preset.config(Component.TEXT_ENCODER)),
                p.sub(Component.TEXT_ENCODER.folderName())) : null;
        ClipTextModel text2 = components.contains("text_encoder_2") ? new ClipTextModel(
                ClipTextConfig.from(preset.config(Component.TEXT_ENCODER_2)),
                p.sub(Component.TEXT_ENCODER_2.folderName()), true) : null;
        UNet2DConditionModel unet = components.contains("unet") ? UNet2DConditionModel.load(
                UNetConfig.from(preset.config(Component.UNET)), p.sub(Component.UNET.folderName())) : null;
        AutoencoderKL vae = components.contains("vae_decoder") ? AutoencoderKL.load(
                VaeConfig.from(preset.config(Component.VAE)), p.sub(Component.VAE.folderName())) : null;
        return new BenchModels("preset " + preset.id() + " (" + preset.source() + " configs, random weights, seed "
                + seed + ")", text, text2, unet, vae, p.loadedElements());
    }
}
