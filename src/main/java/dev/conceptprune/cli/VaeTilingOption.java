package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.vae.VaeConfig;
import picocli.CommandLine.Option;

/** {@code --vae-tiling [PIXELS]}: the VAE decode's tiles, the same for every command that decodes. */
public final class VaeTilingOption {
    @Option(names = "--vae-tiling", arity = "0..1", fallbackValue = "", paramLabel = "PIXELS",
            description = "Decode in overlapping, blended tiles as diffusers' enable_tiling does, of the VAE's "
                    + "sample_size (512 pixels for SD 1.x, 1024 for SDXL) or PIXELS a side. Without it, the decode "
                    + "is tiled only when it would not fit in memory (a warning says so).")
    String tiling;

    /** The tiling asked for, checked against the model's VAE. */
    DecodeTiling tiling(ModelSource source) {
        DecodeTiling request = request();
        if (request.tiled()) {
            VaeConfig vae = VaeConfig.from(source.config(Component.VAE));
            ErrorHandler.option("--vae-tiling", () -> request.tiles(vae));
        }
        return request;
    }

    /** True when the option is on the command line. */
    boolean given() {
        return tiling != null;
    }

    /** The tiling asked for, unchecked (for presets, whose VAE is checked where it is built). */
    DecodeTiling request() {
        if (tiling == null) {
            return DecodeTiling.AUTO;
        }
        if (tiling.isEmpty()) {
            return DecodeTiling.always(null);
        }
        try {
            return DecodeTiling.always(Integer.parseInt(tiling));
        } catch (NumberFormatException e) {
            throw new InputException("--vae-tiling: expected a tile side in pixels, got '" + tiling + "'");
        }
    }
}
