package dev.conceptprune.pipeline;

import dev.conceptprune.io.InputException;

/**
 * What to generate: prompt pair, sampler, size and seed. {@code initialLatents} (flat NCHW,
 * before init_noise_sigma scaling) overrides the seeded draw; {@code sdxl} holds what only
 * SDXL models condition on (null: its defaults).
 */
public record GenerationSettings(String prompt, String negativePrompt, int steps, double guidance,
                                 String scheduler, long seed, int height, int width, int numImages,
                                 float[] initialLatents, SdxlConditions sdxl) {

    /** Settings with SDXL's defaults for what only SDXL conditions on. */
    public GenerationSettings(String prompt, String negativePrompt, int steps, double guidance, String scheduler,
                              long seed, int height, int width, int numImages, float[] initialLatents) {
        this(prompt, negativePrompt, steps, guidance, scheduler, seed, height, width, numImages, initialLatents,
                SdxlConditions.NONE);
    }

    /** Checks the values a user can get wrong. */
    public GenerationSettings {
        if (prompt == null) {
            throw new InputException("a prompt is required");
        }
        if (negativePrompt == null) {
            negativePrompt = "";
        }
        if (sdxl == null) {
            sdxl = SdxlConditions.NONE;
        }
        if (steps <= 0 || steps > 1000) {
            throw new InputException("steps must be between 1 and 1000, got " + steps);
        }
        if (!Double.isFinite(guidance) || guidance < 0) {
            throw new InputException("guidance must be a finite number >= 0, got " + guidance);
        }
        if (height <= 0 || width <= 0 || height % 8 != 0 || width % 8 != 0) {
            throw new InputException("height and width must be positive multiples of 8, got "
                    + height + "x" + width);
        }
        if (numImages <= 0 || numImages > 64) {
            throw new InputException("images per prompt must be between 1 and 64, got " + numImages);
        }
    }

    /** Defaults of diffusers' pipeline: 50 steps, guidance 7.5, the model's own scheduler, seed 0. */
    public static GenerationSettings of(String prompt, int height, int width) {
        return new GenerationSettings(prompt, "", 50, 7.5, null, 0, height, width, 1, null);
    }

    /** These settings with another prompt. */
    public GenerationSettings withPrompt(String p) {
        return new GenerationSettings(p, negativePrompt, steps, guidance, scheduler, seed, height, width,
                numImages, initialLatents, sdxl);
    }

    /** These settings with given initial latents instead of the seeded draw. */
    public GenerationSettings withInitialLatents(float[] latents) {
        return new GenerationSettings(prompt, negativePrompt, steps, guidance, scheduler, seed, height, width,
                numImages, latents, sdxl);
    }

    /** These settings with other SDXL conditions. */
    public GenerationSettings withSdxl(SdxlConditions conditions) {
        return new GenerationSettings(prompt, negativePrompt, steps, guidance, scheduler, seed, height, width,
                numImages, initialLatents, conditions);
    }
}
