package dev.conceptprune.bench;

import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Preset;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.pipeline.DecodeTiling;
import java.nio.file.Path;
import java.util.List;

/**
 * What one benchmark measures.
 *
 * @param model the diffusers model folder or single-file checkpoint, or null with a preset
 * @param modelOptions how to complete a single-file checkpoint
 * @param preset published configs with seeded random weights instead of a folder, or null
 * @param height image height, or null for the model's native size (512 for presets)
 * @param width image width, or null for the height
 * @param batch UNet and text-encoder batch rows; for a discovery, prompts per UNet batch
 * @param components the components to time, a subset of {@link ComponentBench#COMPONENTS}, or null for all
 *                   the model has
 * @param collectBeforeSample collect the Java heap before reading the resident set after each call
 * @param steps denoising steps of a discovery
 * @param tau UNet calls observed by a discovery
 * @param tiling how the VAE decode is tiled
 * @param peer an engine to time the UNet with beside ours, or null
 */
public record BenchRequest(Path model, SingleFileOptions modelOptions, Preset preset, Integer height, Integer width, int batch, int calls,
                           int warmup, List<String> components, long seed, boolean collectBeforeSample, int steps,
                           int tau, DecodeTiling tiling, UNetPeer peer) {
    public BenchRequest {
        if ((model == null) == (preset == null)) {
            throw new InputException("a benchmark needs exactly one of a model folder and a preset");
        }
        if (components != null && !ComponentBench.COMPONENTS.containsAll(components)) {
            throw new InputException("the components to time are text_encoder, text_encoder_2, unet and vae_decoder, "
                    + "got " + components);
        }
        if (batch < 1) {
            throw new InputException("the batch must be >= 1, got " + batch);
        }
        if (warmup < 0 || calls < 1) {
            throw new InputException("warm-up calls must be >= 0 and timed calls >= 1, got " + warmup + " and "
                    + calls);
        }
        if ((height != null && (height <= 0 || height % 8 != 0)) || (width != null && (width <= 0 || width % 8 != 0))) {
            throw new InputException("the image height and width must be positive multiples of 8");
        }
        components = components == null ? null : List.copyOf(components);
        if (tiling == null) {
            tiling = DecodeTiling.AUTO;
        }
    }
}
