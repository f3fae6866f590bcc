package dev.conceptprune.eval;

import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.model.ModelSource;

/** The sampler settings an evaluation uses for rows that give none of their own. */
@FunctionalInterface
public interface SamplingDefaults {
    /**
     * Negative prompt, steps, guidance, scheduler, seed and image size for a model; the prompt is ignored.
     *
     * @throws IllegalArgumentException when the options do not fit the model
     */
    GenerationSettings at(ModelSource model);
}
