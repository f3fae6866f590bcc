package dev.conceptprune.eval;

import java.nio.file.Path;

/**
 * A model under evaluation.
 *
 * @param name   unique among the run's models; names its image folder and report column
 * @param path   the diffusers folder, absolute
 * @param key    {@link ContentKeys#ofModel} of the folder, so that edited weights regenerate
 * @param height image height this model generates at
 * @param width  image width this model generates at
 */
public record EvalModel(String name, Path path, String key, int height, int width) {
}
