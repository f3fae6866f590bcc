package dev.conceptprune.eval;

import dev.conceptprune.io.Progress;
import java.util.List;

/**
 * Where an evaluation's images are generated: in this process ({@link #LOCAL}) or by an engine that
 * spreads {@link EvalGenerator#batches} over workers. Every engine stores through the same
 * {@link EvalStore}, so the folder, the records and the pixels are the same whichever ran.
 */
public interface ImageGeneration extends AutoCloseable {
    /** Model by model in this process, one pipeline at a time. */
    ImageGeneration LOCAL = (plan, images, generator, task) -> {
        for (EvalModel m : plan.models()) {
            generator.generate(m, images.stream().filter(i -> i.model().equals(m)).toList(), task);
        }
    };

    /** Generates those of {@code images} (of {@code plan}) that the generator's store lacks, counting them in {@code task}. */
    void generate(EvalPlan plan, List<EvalImage> images, EvalGenerator generator, Progress.Task task);

    /** Releases the engine's workers; nothing for the local one. */
    @Override
    default void close() {
    }
}
