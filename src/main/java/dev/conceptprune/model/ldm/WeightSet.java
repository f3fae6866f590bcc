package dev.conceptprune.model.ldm;

/**
 * Which UNet weights of a full training checkpoint to use. Such files carry both the trained
 * weights under {@code model.diffusion_model.} and their moving average under {@code model_ema.}
 * with the dots of each name removed ({@code model_ema.diffusion_modelinput_blocks00weight}).
 */
public enum WeightSet {
    /** The weights under {@code model.diffusion_model.}; diffusers' default too. */
    NON_EMA,
    /** The exponential moving average, diffusers' {@code extract_ema}. */
    EMA;

    static final String EMA_PREFIX = "model_ema.";

    /** The flat EMA name holding the moving average of a {@code model.}-rooted stored name. */
    static String emaName(String storedName) {
        int firstDot = storedName.indexOf('.');
        return EMA_PREFIX + storedName.substring(firstDot + 1).replace(".", "");
    }
}
