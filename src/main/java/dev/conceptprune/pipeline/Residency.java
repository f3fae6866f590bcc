package dev.conceptprune.pipeline;

import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.runtime.MemoryCheck;
import java.util.List;

/**
 * How a pipeline holds its weights. {@link #RESIDENT}: every component at once. {@link #STAGED}: the
 * text encoders and the UNet take turns (each encoding releases the UNet and the next UNet call
 * reloads it), the VAE stays; the peak is the larger side instead of the sum. SDXL's text encoders
 * are 2.8 GB of float32 beside a 10.3 GB UNet, so taking turns lets it run where the sum does not
 * fit, at the price of reading the UNet again for every batch of prompts (seconds, against minutes
 * of sampling per batch at 1024x1024).
 */
public enum Residency {
    RESIDENT,
    STAGED;

    private static final List<Component> TEXT = List.of(Component.TEXT_ENCODER, Component.TEXT_ENCODER_2);

    /** Resident when every weight fits in {@code available} bytes (or that is unknown, < 0), else staged. */
    public static Residency choose(ModelSource source, long available) {
        long all = textParameters(source) + MemoryCheck.parameterCount(source, List.of(Component.UNET, Component.VAE));
        return available < 0 || MemoryCheck.fits(all, available) ? RESIDENT : STAGED;
    }

    /** The most weights held at once. */
    public long peakParameters(ModelSource source) {
        long text = textParameters(source);
        long unet = MemoryCheck.parameterCount(source, List.of(Component.UNET));
        long vae = MemoryCheck.parameterCount(source, List.of(Component.VAE));
        return this == RESIDENT ? text + unet + vae : Math.max(text, unet) + vae;
    }

    /** The plan in words. */
    public String describe() {
        return this == RESIDENT ? "all resident" : "text encoders and UNet in turn, VAE resident";
    }

    private static long textParameters(ModelSource source) {
        return MemoryCheck.parameterCount(source, TEXT.stream().filter(source::has).toList());
    }
}
