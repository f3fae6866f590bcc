package dev.conceptprune.spark;

import dev.conceptprune.eval.EvalGenerator;
import dev.conceptprune.eval.EvalImage;
import dev.conceptprune.eval.EvalModel;
import dev.conceptprune.eval.EvalPlan;
import dev.conceptprune.eval.ImageBatch;
import dev.conceptprune.eval.ImageGeneration;
import dev.conceptprune.io.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An evaluation's images generated on Spark: the driver cuts each model's missing images into the
 * UNet batches a local run would make ({@link EvalGenerator#batches}), sends one batch per task,
 * and the executors store every image and its record in the shared output folder
 * ({@link BatchTask}). The driver then measures and reports from the folder as a local run does.
 */
public final class SparkGeneration implements ImageGeneration {
    private final SparkJobs jobs;
    private final SparkSettings settings;
    private final Path out;
    private final int batch;
    private final Progress progress;
    private final HadoopStaging staging;

    /**
     * An engine that starts its Spark context when there is something to generate.
     *
     * @param out     the output folder: on a path every executor sees, or the local mirror of a remote one
     * @param batch   prompts per UNet batch
     * @param staging the run's locations (remote inputs, the output folder's mirror)
     */
    public SparkGeneration(SparkSettings settings, Path out, int batch, HadoopStaging staging, Progress progress) {
        this.jobs = new SparkJobs(settings, "eval", progress);
        this.settings = settings;
        this.out = out.toAbsolutePath();
        this.batch = batch;
        this.staging = staging;
        this.progress = progress;
    }

    @Override
    public void generate(EvalPlan plan, List<EvalImage> images, EvalGenerator generator, Progress.Task task) {
        // The executors judge what is stored from the remote folder: it gets the driver's claim first.
        staging.publish();
        try {
            generateOnSpark(plan, images, generator, task);
        } finally {
            staging.refresh();
        }
    }

    private void generateOnSpark(EvalPlan plan, List<EvalImage> images, EvalGenerator generator, Progress.Task task) {
        for (EvalModel m : plan.models()) {
            List<EvalGenerator.Batch> batches = generator.batches(
                    images.stream().filter(i -> i.model().equals(m)).toList());
            if (batches.isEmpty()) {
                continue;
            }
            int[] missing = batches.stream().mapToInt(EvalGenerator.Batch::missing).toArray();
            progress.say("eval: %s: %d images in %d batches on Spark", m.name(), IntStream.of(missing).sum(),
                    batches.size());
            jobs.run("conceptprune-" + m.name(), "images of " + m.name(),
                    batches.stream().map(b -> ImageBatch.encode(b.images())).toList(), missing,
                    new BatchTask(out, batch, ExecutorCompute.withThreads(settings.threads()), staging.executorInputs(),
                            staging.mirror()), task);
        }
    }

    @Override
    public void close() {
        jobs.close();
    }
}
