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

/**
 * The three networks a text-to-image run computes with, built into one manager either from a
 * model folder's weights or from a preset's configs with seeded random weights.
 *
 * @param description what was built, for the report
 */
public record BenchModels(String description, ClipTextModel textEncoder, UNet2DConditionModel unet,
                          AutoencoderKL vae) {

    /** Loads the text encoder, UNet and VAE of a model for {@code runtime} into {@code manager}. */
    public static BenchModels load(ModelSource source, Runtime runtime, NDManager manager) {
        ClipTextModel text = ClipTextModel.load(source,
                ClipTextConfig.from(source.config(Component.TEXT_ENCODER)), runtime, manager);
        return new BenchModels(source.location().toString(), text,
                UNet2DConditionModel.load(source, runtime, manager), AutoencoderKL.load(source, runtime, manager));
    }

    /** Builds a preset's networks for {@code runtime} with N(0, 0.02) weights drawn from {@code seed}. */
    public static BenchModels random(Preset preset, Runtime runtime, NDManager manager, long seed) {
        Params p = Params.random(runtime, manager, seed);
        return new BenchModels("preset " + preset.id() + " (" + preset.source() + " configs, random weights, seed "
                + seed + ")",
                new ClipTextModel(ClipTextConfig.from(preset.config(Component.TEXT_ENCODER)),
                        p.sub(Component.TEXT_ENCODER.folderName())),
                UNet2DConditionModel.load(UNetConfig.from(preset.config(Component.UNET)),
                        p.sub(Component.UNET.folderName())),
                AutoencoderKL.load(VaeConfig.from(preset.config(Component.VAE)), p.sub(Component.VAE.folderName())));
    }
}
