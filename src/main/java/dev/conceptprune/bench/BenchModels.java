package dev.conceptprune.bench;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.nn.Params;
import dev.conceptprune.text.ClipTextConfig;
import dev.conceptprune.text.ClipTextModel;
import dev.conceptprune.unet.UNet2DConditionModel;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.AutoencoderKL;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.weights.ModelFolder;

/**
 * The three networks a text-to-image run computes with, built into one manager either from a
 * model folder's weights or from a preset's configs with seeded random weights.
 *
 * @param description what was built, for the report
 */
public record BenchModels(String description, ClipTextModel textEncoder, UNet2DConditionModel unet,
                          AutoencoderKL vae) {

    /** Loads the text encoder, UNet and VAE of a diffusers folder. */
    public static BenchModels load(ModelFolder folder, NDManager manager) {
        ClipTextModel text = ClipTextModel.load(folder, ClipTextConfig.from(folder.config("text_encoder")), manager);
        return new BenchModels(folder.root().toString(), text, UNet2DConditionModel.load(folder, manager),
                AutoencoderKL.load(folder, manager));
    }

    /** Builds a preset's networks with N(0, 0.02) weights drawn from {@code seed}. */
    public static BenchModels random(Preset preset, NDManager manager, long seed) {
        Params p = Params.random(manager, seed);
        return new BenchModels("preset " + preset.id() + " (" + preset.source() + " configs, random weights, seed "
                + seed + ")",
                new ClipTextModel(ClipTextConfig.from(preset.config("text_encoder")), p.sub("text_encoder")),
                UNet2DConditionModel.load(UNetConfig.from(preset.config("unet")), p.sub("unet")),
                AutoencoderKL.load(VaeConfig.from(preset.config("vae")), p.sub("vae")));
    }
}
