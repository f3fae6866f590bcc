package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.vae.Images;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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

    /**
     * One UNet batch and how many of its images the store lacked when it was cut.
     *
     * @param images the batch's images, in plan order
     * @param missing those of them not stored
     */
    public record Batch(List<EvalImage> images, int missing) {
        public Batch {
            images = List.copyOf(images);
        }
    }

    /**
     * The UNet batches that generate the images of one model that the store lacks. A batch's pixels
     * depend on its members (libtorch picks kernels by batch size), so the batches are cut from all of
     * {@code images} whatever is stored: rows grouped by guidance scale and size in plan order, then cut
     * by the batch size; those with a missing image are computed again whole. Every writer, fresh or
     * resuming, local or on an engine, thus computes an image in the same batch. Reads the store once.
     */
    public List<Batch> batches(List<EvalImage> images) {
        Map<List<Double>, List<EvalImage>> byGuidance = new LinkedHashMap<>();
        for (EvalImage i : images) {
            GenerationSettings s = i.settings();
            byGuidance.computeIfAbsent(List.of(s.guidance(), (double) s.height(), (double) s.width()),
                    g -> new ArrayList<>()).add(i);
        }
        List<Batch> batches = new ArrayList<>();
        for (List<EvalImage> group : byGuidance.values()) {
            for (int from = 0; from < group.size(); from += batch) {
                List<EvalImage> b = group.subList(from, Math.min(group.size(), from + batch));
                int missing = (int) b.stream().filter(i -> !store.hasImage(i)).count();
                if (missing > 0) {
                    batches.add(new Batch(b, missing));
                }
            }
        }
        return batches;
    }

    /** Generates those of {@code images} (one model's) that the store lacks; counts them in {@code task}. */
    public void generate(EvalModel model, List<EvalImage> images, Progress.Task task) {
        List<Batch> batches = batches(images);
        int pending = batches.stream().mapToInt(Batch::missing).sum();
        progress.say("eval: %s: %d images to generate, %d reused", model.name(), pending, images.size() - pending);
        if (pending == 0) {
            return;
        }
        try (StableDiffusionPipeline pipe = load(model)) {
            for (Batch b : batches) {
                generate(pipe, model, b.images(), task);
            }
        }
    }

    /** Loads a model's pipeline with the decode the plan chose for it. */
    public static StableDiffusionPipeline load(EvalModel model) {
        Runtime runtime;
        try {
            runtime = model.runtime();
        } catch (IllegalArgumentException e) {
            // the plan's device and dtype, checked where it was made, may not be had on another machine (an executor)
            throw new InputException(model.name() + ": " + e.getMessage());
        }
        StableDiffusionPipeline pipe = StableDiffusionPipeline.load(model.open(), runtime);
        pipe.setDecodeTiling(model.decode());
        return pipe;
    }

    /**
     * Generates one of {@link #batches}'s batches with a loaded pipeline of its model and stores the images
     * the store lacks (the others were computed only to keep the batch whole); counts them in {@code task}
     * and returns how many there were.
     */
    public int generate(StableDiffusionPipeline pipe, EvalModel model, List<EvalImage> images, Progress.Task task) {
        boolean[] stored = new boolean[images.size()];
        int missing = 0;
        for (int k = 0; k < stored.length; k++) {
            stored[k] = store.hasImage(images.get(k));
            missing += stored[k] ? 0 : 1;
        }
        if (missing == 0) {
            return 0;
        }
        GenerationSettings s = images.get(0).settings();
        List<float[]> pixels;
        try {
            pixels = pipe.generateEach(images.stream().map(i -> i.settings().prompt()).toList(),
                    images.stream().map(i -> i.settings().seed()).toList(), s, batch, listener(model, s, task));
        } catch (InputException e) {
            // Named by item, so that a local run and any engine's worker report the same line.
            throw new InputException(model.name() + ", " + images.stream().map(EvalImage::file)
                    .collect(Collectors.joining(", ")) + ": " + e.getMessage(), e);
        }
        for (int k = 0; k < images.size(); k++) {
            if (!stored[k]) {
                store.writeImage(images.get(k), Images.pngBytes(Images.toImage(pixels.get(k), 0, s.height(), s.width())));
            }
        }
        task.advance(missing);
        return missing;
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
