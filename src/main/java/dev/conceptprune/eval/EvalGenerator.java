package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.vae.Images;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates the images of a plan that a store lacks, model by model, and stores each PNG with its
 * record as soon as its batch is done. Works on any subset of the plan's images, so that several
 * writers (processes, executors) can share the items of one plan.
 */
public final class EvalGenerator {
    private final int batch;
    private final EvalStore store;
    private final Progress progress;

    /** @param batch prompts per UNet batch */
    public EvalGenerator(int batch, EvalStore store, Progress progress) {
        if (batch < 1) {
            throw new InputException("prompts per UNet batch must be >= 1, got " + batch);
        }
        this.batch = batch;
        this.store = store;
        this.progress = progress;
    }

    /** Generates those of {@code images} (one model's) that the store lacks; counts them in {@code task}. */
    public void generate(EvalModel model, List<EvalImage> images, Progress.Task task) {
        // One UNet batch shares a guidance scale and a size, so rows are grouped by both.
        Map<List<Double>, List<EvalImage>> byGuidance = new LinkedHashMap<>();
        for (EvalImage i : images) {
            if (!store.hasImage(i)) {
                GenerationSettings s = i.settings();
                byGuidance.computeIfAbsent(List.of(s.guidance(), (double) s.height(), (double) s.width()),
                        g -> new ArrayList<>()).add(i);
            }
        }
        int pending = byGuidance.values().stream().mapToInt(List::size).sum();
        progress.say("eval: %s: %d images to generate, %d reused", model.name(), pending, images.size() - pending);
        if (pending == 0) {
            return;
        }
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(model.open())) {
            pipe.setDecodeTiling(model.decode());
            for (List<EvalImage> group : byGuidance.values()) {
                for (int from = 0; from < group.size(); from += batch) {
                    List<EvalImage> chunk = group.subList(from, Math.min(group.size(), from + batch));
                    GenerationSettings s = chunk.get(0).settings();
                    List<float[]> pixels = pipe.generateEach(chunk.stream().map(i -> i.settings().prompt()).toList(),
                            chunk.stream().map(i -> i.settings().seed()).toList(), s, batch, listener(model, s, task));
                    for (int k = 0; k < chunk.size(); k++) {
                        store.writeImage(chunk.get(k), Images.pngBytes(Images.toImage(pixels.get(k), 0, s.height(), s.width())));
                    }
                    task.advance(chunk.size());
                }
            }
        }
    }

    /** Shows the UNet call of the batch running (with the steps asked for, where PNDM's calls differ) and warns. */
    private StepListener listener(EvalModel model, GenerationSettings s, Progress.Task task) {
        return new StepListener() {
            @Override
            public void beforeUnetCall(int call, int totalCalls, float timestep) {
                task.detail(model.name() + ", UNet call " + (call + 1) + "/" + totalCalls
                        + (totalCalls == s.steps() ? "" : " of " + s.steps() + " steps"));
            }

            @Override
            public void warning(String message) {
                progress.warn(message);
            }
        };
    }
}
