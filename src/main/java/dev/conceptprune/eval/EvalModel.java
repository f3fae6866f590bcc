package dev.conceptprune.eval;

import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.pipeline.GenerationSettings;
import java.nio.file.Path;

/**
 * A model under evaluation.
 *
 * @param name   unique among the run's models; names its image folder and report column
 * @param path   the diffusers folder or single-file checkpoint, absolute
 * @param key    {@link ContentKeys#ofModel} of the folder, so that edited weights regenerate
 * @param height image height this model generates at
 * @param width  image width this model generates at
 * @param options how to complete a single-file checkpoint ({@link SingleFileOptions#NONE} for a folder)
 * @param decode  the VAE decode's tiles, chosen once by the plan so that every writer decodes alike
 * @param defaults this model's sampler defaults for rows that give none (SDXL guides with 5, SD with
 *                 7.5; SDXL's conditions), or null for the plan's
 */
public record EvalModel(String name, Path path, String key, int height, int width, SingleFileOptions options,
                        DecodeTiling decode, GenerationSettings defaults) {
    /** A model decoded whole, with the plan's defaults. */
    public EvalModel(String name, Path path, String key, int height, int width, SingleFileOptions options) {
        this(name, path, key, height, width, options, DecodeTiling.WHOLE, null);
    }

    /** Opens the model. */
    public ModelSource open() {
        return ModelSource.open(path, options);
    }
}
