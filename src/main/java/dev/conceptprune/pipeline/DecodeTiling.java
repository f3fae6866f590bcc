package dev.conceptprune.pipeline;

import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.vae.VaeTiling;

/**
 * How a run's VAE decode is tiled: {@link #AUTO}, only when the whole decode would not fit in
 * memory ({@link SamplingMemory#decodeTiling}); {@link #WHOLE}, never; or always, in given tiles.
 *
 * @param automatic  the memory decides
 * @param tiled      tiled whenever the latents are larger than one tile (when not automatic)
 * @param tilePixels the tile side in pixels, or null for the VAE's own ({@code sample_size}, as diffusers)
 */
public record DecodeTiling(boolean automatic, boolean tiled, Integer tilePixels) {
    /** Tiles only when the whole decode would not fit. */
    public static final DecodeTiling AUTO = new DecodeTiling(true, false, null);
    /** Never tiles, whatever the memory. */
    public static final DecodeTiling WHOLE = new DecodeTiling(false, false, null);

    /** Always tiled, in tiles of {@code tilePixels} or, when null, the VAE's own. */
    public static DecodeTiling always(Integer tilePixels) {
        return new DecodeTiling(false, true, tilePixels);
    }

    /** Exactly these tiles, or a whole decode for null: a choice made once and kept. */
    public static DecodeTiling exactly(VaeTiling tiles) {
        return tiles == null ? WHOLE : always(tiles.tileSample());
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
