package dev.conceptprune.pipeline;

import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.vae.VaeTiling;

/**
 * How a run's VAE decode is tiled: {@link #AUTO}, only when the whole decode would not fit in
 * memory ({@link SamplingMemory#decodeTiling}), or always.
 *
 * @param always     tile whenever the latents are larger than one tile
 * @param tilePixels the tile side in pixels, or null for the VAE's own ({@code sample_size}, as diffusers)
 */
public record DecodeTiling(boolean always, Integer tilePixels) {
    /** Tiles only when the whole decode would not fit. */
    public static final DecodeTiling AUTO = new DecodeTiling(false, null);

    /** Always tiled, in tiles of {@code tilePixels} or, when null, the VAE's own. */
    public static DecodeTiling always(Integer tilePixels) {
        return new DecodeTiling(true, tilePixels);
    }

    /**
     * The tiles asked for, for a VAE.
     *
     * @throws dev.conceptprune.io.InputException if the tile side does not suit the VAE
     */
    public VaeTiling tiles(VaeConfig vae) {
        return tilePixels == null ? VaeTiling.of(vae) : VaeTiling.ofPixels(tilePixels, vae);
    }
}
