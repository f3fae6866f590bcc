package dev.conceptprune.eval;

import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.pipeline.DecodeTiling;
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
 */
public record EvalModel(String name, Path path, String key, int height, int width, SingleFileOptions options,
                        DecodeTiling decode) {
    /** A model decoded whole. */
    public EvalModel(String name, Path path, String key, int height, int width, SingleFileOptions options) {
        this(name, path, key, height, width, options, DecodeTiling.WHOLE);
    }

    /** Opens the model. */
    public ModelSource open() {
        return ModelSource.open(path, options);
    }
}
