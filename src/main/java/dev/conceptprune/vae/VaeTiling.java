package dev.conceptprune.vae;

import dev.conceptprune.io.InputException;

/**
 * The tiles of diffusers' tiled VAE decode ({@code AutoencoderKL.tiled_decode}): latent tiles of
 * {@code tileLatent} starting every {@link #strideLatent()} latents (a quarter overlap), each
 * decoded alone, blended linearly with the tile above and then the one to the left over
 * {@link #blendExtent()} pixels, and cropped to {@link #rowLimit()}. Only the decoder's activations
 * of one tile are alive at a time.
 *
 * @param tileSample the decoded tile's side in pixels ({@code tile_sample_min_size})
 * @param tileLatent the latent tile's side ({@code tile_latent_min_size})
 */
public record VaeTiling(int tileSample, int tileLatent) {
    /** diffusers' {@code tile_overlap_factor}. */
    static final double OVERLAP = 0.25;

    /** Refuses tiles that could not advance: a stride of 0 latents would never reach the edge. */
    public VaeTiling {
        if (tileLatent < 2 || tileSample < 1) {
            throw new InputException("a VAE tile must be at least 2 latents wide, got " + tileLatent + " latents ("
                    + tileSample + " pixels)");
        }
    }

    /** diffusers' tiles for a VAE: {@code sample_size} pixels, {@code int(sample_size / factor)} latents. */
    public static VaeTiling of(VaeConfig config) {
        return new VaeTiling(config.sampleSize(), config.sampleSize() / config.scaleFactor());
    }

    /**
     * Tiles of {@code pixels} per side, as diffusers with {@code tile_sample_min_size} and
     * {@code tile_latent_min_size} set to match.
     *
     * @throws InputException if {@code pixels} is not a multiple of the VAE's factor of at least two latents
     */
    public static VaeTiling ofPixels(int pixels, VaeConfig config) {
        int f = config.scaleFactor();
        if (pixels < 2 * f || pixels % f != 0) {
            throw new InputException("the VAE tile side must be a multiple of the VAE factor " + f + " and at least "
                    + 2 * f + " pixels, got " + pixels);
        }
        return new VaeTiling(pixels, pixels / f);
    }

    /** Latents from one tile's start to the next ({@code overlap_size}). */
    public int strideLatent() {
        return (int) (tileLatent * (1 - OVERLAP));
    }

    /** Pixels blended across each seam. */
    public int blendExtent() {
        return (int) (tileSample * OVERLAP);
    }

    /** Pixels of each blended tile that go into the image. */
    public int rowLimit() {
        return tileSample - blendExtent();
    }

    /** diffusers tiles only latents larger than one tile; smaller ones decode whole. */
    public boolean splits(long latentHeight, long latentWidth) {
        return latentHeight > tileLatent || latentWidth > tileLatent;
    }

    /** Tiles along a latent side of {@code latents}: one per stride started inside it. */
    public int tilesAlong(long latents) {
        return Math.toIntExact((latents + strideLatent() - 1) / strideLatent());
    }
}
