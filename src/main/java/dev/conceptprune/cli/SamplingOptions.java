package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.model.ModelSource;
import picocli.CommandLine.Option;

/** Sampler options shared by every command that runs the pipeline; they mean the same everywhere. */
public final class SamplingOptions {
    private static final double SD_GUIDANCE = 7.5;
    private static final double SDXL_GUIDANCE = 5.0;

    @Option(names = "--steps", defaultValue = "50", paramLabel = "N",
            description = "Denoising steps (default: ${DEFAULT-VALUE}, the paper's and diffusers' setting).")
    int steps;

    @Option(names = "--guidance", paramLabel = "SCALE",
            description = "Classifier-free guidance scale (default: 7.5, and 5 for SDXL models as diffusers' SDXL"
                    + " pipeline; <= 1 disables it).")
    Double guidance;

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "pndm, ddim, euler or dpm++ (default: the model's own scheduler config).")
    String scheduler;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N",
            description = "Seed of the initial latents (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--negative-prompt", defaultValue = "", paramLabel = "TEXT",
            description = "Negative prompt (default: empty).")
    String negativePrompt;

    @Option(names = "--height", paramLabel = "PIXELS",
            description = "Image height, a multiple of 8 (default: the UNet's sample_size x VAE factor).")
    Integer height;

    @Option(names = "--width", paramLabel = "PIXELS", description = "Image width, a multiple of 8 (default: as height).")
    Integer width;

    /** Height and width, defaulting to the model's native size as diffusers does. */
    int[] size(ModelSource folder) {
        if (height != null && width != null) {
            return new int[] {height, width};
        }
        int native_ = folder.imageSize();
        // The model's own size is checked here so that a bad config is not blamed on options never given.
        if (native_ % 8 != 0) {
            throw new InputException("the model's own image size " + native_ + " (unet sample_size x VAE scale "
                    + "factor " + folder.vaeScaleFactor() + ", " + folder.location() + ") is not a multiple of 8;"
                    + " give --height and --width");
        }
        return new int[] {height != null ? height : native_, width != null ? width : native_};
    }

    /** Size implied by latents of shape [n, c, h, w]; must agree with explicit --height/--width. */
    int[] sizeFromLatents(ModelSource folder, long[] shape) {
        int f = folder.vaeScaleFactor();
        int h = (int) shape[2] * f;
        int w = (int) shape[3] * f;
        if ((height != null && height != h) || (width != null && width != w)) {
            throw new InputException("--latents of shape [.., " + shape[2] + ", " + shape[3] + "] mean "
                    + h + "x" + w + " pixels, not the given --height/--width");
        }
        return new int[] {h, w};
    }

    /** The sampler settings for {@code model}, whose family picks the guidance default. */
    GenerationSettings settings(ModelSource model, String prompt, int[] size, int numImages) {
        double guidance = this.guidance != null ? this.guidance : model.isSdxl() ? SDXL_GUIDANCE : SD_GUIDANCE;
        if (steps <= 0 || steps > 1000) {
            throw new InputException("--steps must be between 1 and 1000, got " + steps);
        }
        if (!Double.isFinite(guidance) || guidance < 0) {
            throw new InputException("--guidance must be a finite number >= 0, got " + guidance);
        }
        if (size[0] <= 0 || size[1] <= 0 || size[0] % 8 != 0 || size[1] % 8 != 0) {
            throw new InputException("--height and --width must be positive multiples of 8, got " + size[0] + "x"
                    + size[1]);
        }
        if (numImages <= 0 || numImages > 64) {
            throw new InputException("--num-images must be between 1 and 64, got " + numImages);
        }
        if (seed < 0 || seed > Integer.MAX_VALUE) {
            throw new InputException("--seed must be between 0 and " + Integer.MAX_VALUE + ", got " + seed);
        }
        if (scheduler != null && !java.util.List.of("pndm", "ddim", "euler", "dpm++").contains(scheduler)) {
            throw new InputException("--scheduler must be pndm, ddim, euler or dpm++, got '" + scheduler + "'");
        }
        return new GenerationSettings(prompt, negativePrompt, steps, guidance, scheduler, seed, size[0], size[1],
                numImages, null);
    }
}
