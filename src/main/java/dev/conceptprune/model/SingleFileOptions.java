package dev.conceptprune.model;

import java.nio.file.Path;

/**
 * How to read a single-file checkpoint where its tensors and its family's conventions do not say
 * enough, as diffusers' single-file loader allows: configs and tokenizer from a diffusers folder,
 * the original LDM config, the prediction type, the EMA weights of a training checkpoint.
 *
 * @param configFolder a diffusers folder whose component configs and tokenizer replace the inferred ones, or null
 * @param originalConfig the checkpoint's LDM {@code .yaml}, or null
 * @param predictionType "epsilon" or "v_prediction" over every other source, or null
 * @param ema read the UNet's EMA weights ({@code model_ema.*}) instead of the trained ones
 */
public record SingleFileOptions(Path configFolder, Path originalConfig, String predictionType, boolean ema) {
    /** The defaults: everything inferred, non-EMA weights. */
    public static final SingleFileOptions NONE = new SingleFileOptions(null, null, null, false);

    /** True when nothing differs from {@link #NONE}. */
    public boolean isDefault() {
        return equals(NONE);
    }
}
