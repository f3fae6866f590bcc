package dev.conceptprune.model;

import dev.conceptprune.io.Config;
import dev.conceptprune.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model's components and their tensors, addressed by {@link Component} role. The diffusers
 * folder ({@link DiffusersFolder}) is one implementation; a single-file checkpoint can be another,
 * presenting its tensors under diffusers names through a {@link TensorView}. Model loaders use
 * only this interface.
 */
public interface ModelSource {
    /**
     * Opens the model at {@code path}: a single-file checkpoint ({@code .safetensors} or {@code .ckpt}
     * in the LDM layout) or a diffusers folder; anything else is a one-line error.
     */
    static ModelSource open(Path path) {
        return open(path, SingleFileOptions.NONE);
    }

    /**
     * As {@link #open(Path)}; {@code options} complete a single file and must be the defaults for a
     * diffusers folder, which says everything itself.
     */
    static ModelSource open(Path path, SingleFileOptions options) {
        if (SingleFileSource.accepts(path)) {
            return SingleFileSource.open(path, options);
        }
        if (!options.isDefault() && Files.isDirectory(path)) {
            throw new InputException(path + " is a diffusers folder; config folders, original configs, prediction"
                    + " types and EMA selection apply to single-file checkpoints only");
        }
        return DiffusersFolder.open(path);
    }

    /** Where the model is, for messages. */
    Path location();

    /** True when the model has this component. */
    boolean has(Component component);

    /** The component's config ({@code config.json}, {@code scheduler_config.json} or {@code tokenizer_config.json}). */
    Config config(Component component);

    /** The component's tensors; the caller closes them. */
    TensorSource tensors(Component component);

    /**
     * The bytes of one of the component's auxiliary files (e.g. the tokenizer's {@code vocab.json}),
     * or empty when it has no such file.
     *
     * @throws java.io.UncheckedIOException when the file exists but cannot be read
     */
    Optional<byte[]> file(Component component, String fileName);

    /** Where that auxiliary file is (or would be), for messages. */
    Path fileLocation(Component component, String fileName);

    /**
     * The image size the model was trained at: the UNet's sample size times the VAE's scale factor.
     *
     * @throws dev.conceptprune.io.WeightFormatException naming the UNet config when its sample size is not positive
     */
    default int imageSize() {
        Config unet = config(Component.UNET);
        int sample = unet.getInt("sample_size");
        if (sample <= 0) {
            throw unet.error("config key 'sample_size' = " + sample + " must be > 0");
        }
        return sample * vaeScaleFactor();
    }

    /** True for an SDXL model: one with {@code text_encoder_2}. */
    default boolean isSdxl() {
        return has(Component.TEXT_ENCODER_2);
    }

    /**
     * The pipeline's {@code force_zeros_for_empty_prompt} (SDXL): an absent negative prompt
     * conditions on zeros rather than on the encoding of "". diffusers' default, true, unless
     * the model says otherwise.
     */
    default boolean forceZerosForEmptyPrompt() {
        return true;
    }

    /** Pixels per latent along each side: 2 to the number of the VAE's downsampling stages. */
    default int vaeScaleFactor() {
        Config vae = config(Component.VAE);
        int blocks = vae.getIntArray("block_out_channels").length;
        if (blocks == 0) {
            throw vae.error("config key 'block_out_channels' must list at least one block");
        }
        return 1 << (blocks - 1);
    }
}
