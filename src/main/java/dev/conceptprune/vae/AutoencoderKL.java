package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.Params;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.io.WeightFormatException;
import java.util.function.UnaryOperator;

/**
 * diffusers' {@code AutoencoderKL}: images in [-1, 1] to latent Gaussians and latents back to
 * images. Weights live in the manager they were loaded into. Every call computes in a
 * sub-manager of its input's manager and returns arrays owned by that manager, so calls
 * never add arrays to the model's manager.
 */
public final class AutoencoderKL {
    private static final float LOGVAR_MIN = -30f;
    private static final float LOGVAR_MAX = 20f;

    private final VaeConfig config;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Decoder decoder;

    private AutoencoderKL(VaeConfig config, Params p) {
        this.config = config;
        long moments = 2L * config.latentChannels();
        encoder = new Encoder(p.sub("encoder"), config);
        quantConv = config.useQuantConv() ? Conv2d.load(p, "quant_conv", moments, moments, 1, 1, 0) : null;
        postQuantConv = config.usePostQuantConv()
                ? Conv2d.load(p, "post_quant_conv", config.latentChannels(), config.latentChannels(), 1, 1, 0)
                : null;
        decoder = new Decoder(p.sub("decoder"), config);
    }

    /** Loads the {@code vae} component of a model into {@code manager}, for {@link Runtime#cpu()}. */
    public static AutoencoderKL load(ModelSource source, NDManager manager) {
        return load(source, Runtime.cpu(), manager);
    }

    /** Loads the {@code vae} component of a model for {@code runtime} into {@code manager} (one the runtime made). */
    public static AutoencoderKL load(ModelSource source, Runtime runtime, NDManager manager) {
        VaeConfig config = VaeConfig.from(source.config(Component.VAE));
        try (TensorSource store = source.tensors(Component.VAE)) {
            return load(config, store, runtime, manager);
        }
    }

    /**
     * Loads the weights {@code config} implies from {@code store} into {@code manager}; a missing
     * tensor, a wrong shape, or a tensor the config does not explain is a {@link WeightFormatException}.
     */
    public static AutoencoderKL load(VaeConfig config, TensorSource store, Runtime runtime, NDManager manager) {
        Params p = new Params(store, runtime, manager);
        AutoencoderKL vae = load(config, p);
        p.requireAllUsed("VAE", name -> false);
        return vae;
    }

    /**
     * Builds the VAE from a config with the weights {@code p} gives (e.g. {@link Params#random}),
     * into {@code p}'s manager; unlike the store loaders it does not look for unexplained tensors.
     */
    public static AutoencoderKL load(VaeConfig config, Params p) {
        return new AutoencoderKL(config, p);
    }

    public VaeConfig config() {
        return config;
    }

    /** Image side / latent side, {@code 2^(len(block_out_channels) - 1)}. */
    public int scaleFactor() {
        return config.scaleFactor();
    }

    /**
     * Decodes the pipeline's latents [B, latent, h, w]: divides by {@code scaling_factor} (and adds
     * {@code shift_factor} if the config has one), then {@link #decodeRaw}. Returns the image
     * [B, out, h*f, w*f], roughly in [-1, 1] and not clamped.
     */
    public NDArray decode(NDArray latents) {
        return decode(latents, null);
    }

    /**
     * As {@link #decode(NDArray)}, in the tiles of {@code tiling} when the latents are larger than one
     * tile (diffusers' {@code enable_tiling}); a null tiling decodes whole.
     */
    public NDArray decode(NDArray latents, VaeTiling tiling) {
        checkInput("latents", latents, config.latentChannels());
        return scoped(latents, x -> {
            NDArray z = x.div((float) config.scalingFactor());
            if (config.shiftFactor() != null) {
                z = Intermediates.replace(z, z.add(config.shiftFactor().floatValue()));
            }
            long[] s = z.getShape().getShape();
            return tiling != null && tiling.splits(s[2], s[3]) ? decodeTiled(z, tiling) : decodeScoped(z);
        });
    }

    /** Decodes latents that are already unscaled ({@code latents / scaling_factor}). */
    public NDArray decodeRaw(NDArray z) {
        checkInput("latents", z, config.latentChannels());
        return scoped(z, this::decodeScoped);
    }

    /** Encoder output after quant_conv: [B, 2 * latent, H/f, W/f], mean channels first, then log-variance. */
    public NDArray moments(NDArray image) {
        checkInput("image", image, config.inChannels());
        return scoped(image, this::momentsScoped);
    }

    /** Encodes an image [B, in, H, W] in [-1, 1] to its latent posterior. */
    public Posterior encode(NDArray image) {
        checkInput("image", image, config.inChannels());
        NDManager caller = image.getManager();
        try (NDManager scope = caller.newSubManager()) {
            image.tempAttach(scope);
            NDArray m = momentsScoped(image);
            long l = config.latentChannels();
            NDArray mean = m.get(new NDIndex(":, 0:{}", l));
            NDArray logvar = m.get(new NDIndex(":, {}:", l)).clip(LOGVAR_MIN, LOGVAR_MAX);
            NDArray std = logvar.mul(0.5f).exp();
            Posterior posterior = new Posterior(mean, logvar, std);
            mean.attach(caller);
            logvar.attach(caller);
            std.attach(caller);
            return posterior;
        }
    }

    /** The posterior mean of an image [B, in, H, W] in [-1, 1]: the deterministic latent. */
    public NDArray encodeMean(NDArray image) {
        checkInput("image", image, config.inChannels());
        return scoped(image, x -> momentsScoped(x).get(new NDIndex(":, 0:{}", config.latentChannels())));
    }

    /**
     * Runs {@code body} on {@code input} inside a sub-manager of the input's, so that every
     * intermediate is freed on return; only the result moves to the caller's manager.
     */
    private static NDArray scoped(NDArray input, UnaryOperator<NDArray> body) {
        NDManager caller = input.getManager();
        try (NDManager scope = caller.newSubManager()) {
            input.tempAttach(scope);
            NDArray out = body.apply(input);
            out.attach(caller);
            return out;
        }
    }

    private NDArray decodeScoped(NDArray z) {
        if (postQuantConv == null) {
            return decoder.forward(z);
        }
        try (NDArray q = postQuantConv.forward(z)) {
            return decoder.forward(q);
        }
    }

    /**
     * diffusers' {@code tiled_decode}: every tile decoded in its own scope, then blended in place
     * order, so that each seam blends with neighbours that are already blended themselves.
     */
    private NDArray decodeTiled(NDArray z, VaeTiling tiling) {
        NDManager scope = z.getManager();
        long height = z.getShape().get(2);
        long width = z.getShape().get(3);
        int stride = tiling.strideLatent();
        int side = tiling.tileLatent();
        int rowsCount = tiling.tilesAlong(height);
        int colsCount = tiling.tilesAlong(width);
        NDArray[][] tiles = new NDArray[rowsCount][colsCount];
        for (int r = 0; r < rowsCount; r++) {
            for (int c = 0; c < colsCount; c++) {
                long top = (long) r * stride;
                long left = (long) c * stride;
                try (NDManager tileScope = scope.newSubManager()) {
                    NDArray latentTile = z.get(new NDIndex(":, :, {}:{}, {}:{}", top, Math.min(top + side, height),
                            left, Math.min(left + side, width)));
                    latentTile.attach(tileScope);
                    NDArray decoded = decodeScoped(latentTile);
                    decoded.attach(scope);
                    tiles[r][c] = decoded;
                }
            }
        }
        int blend = tiling.blendExtent();
        int limit = tiling.rowLimit();
        NDList rows = new NDList();
        for (int r = 0; r < rowsCount; r++) {
            NDList row = new NDList();
            for (int c = 0; c < colsCount; c++) {
                if (r > 0) {
                    tiles[r][c] = Blend.vertical(tiles[r - 1][c], tiles[r][c], blend);
                }
                if (c > 0) {
                    tiles[r][c] = Blend.horizontal(tiles[r][c - 1], tiles[r][c], blend);
                }
                row.add(tiles[r][c].get(new NDIndex(":, :, :{}, :{}", limit, limit)));
            }
            rows.add(NDArrays.concat(row, 3));
        }
        return NDArrays.concat(rows, 2);
    }

    private NDArray momentsScoped(NDArray image) {
        NDArray h = encoder.forward(image);
        return quantConv == null ? h : Intermediates.replace(h, quantConv.forward(h));
    }

    private static void checkInput(String what, NDArray x, int channels) {
        long[] s = x.getShape().getShape();
        if (s.length != 4 || s[1] != channels) {
            throw new IllegalArgumentException(what + " must have shape [batch, " + channels + ", height, width], got "
                    + x.getShape());
        }
    }
}
