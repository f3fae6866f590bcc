package dev.conceptprune.bench;

import dev.conceptprune.io.InputException;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.scheduler.Scheduler;

/**
 * The model and image size a discovery benchmark runs on, checked before any work.
 *
 * @param folder the model (a folder or a single file)
 * @param height the request's height, or the model's native size
 * @param width  the request's width, or the height
 */
record DiscoveryModel(ModelSource folder, int height, int width) {
    /** @throws InputException when the request has no model (a preset has random weights only) */
    static DiscoveryModel of(BenchRequest request) {
        if (request.model() == null) {
            throw new InputException("a discovery needs a model folder (tokenizer, scheduler, weights); "
                    + "a preset builds networks with random weights only");
        }
        ModelSource folder = ModelSource.open(request.model(), request.modelOptions());
        int h = request.height() != null ? request.height() : folder.imageSize();
        return new DiscoveryModel(folder, h, request.width() != null ? request.width() : h);
    }

    /** @throws InputException when {@code tau} exceeds the UNet calls of a {@code steps}-step run */
    static void requireTau(StableDiffusionPipeline pipe, int steps, int tau) {
        Scheduler scheduler = pipe.scheduler(null);
        scheduler.setTimesteps(steps);
        if (tau > scheduler.numModelCalls()) {
            throw new InputException("tau " + tau + " exceeds the UNet calls of a " + steps + "-step run");
        }
    }
}
