package dev.conceptprune.spark;

import dev.conceptprune.eval.EvalGenerator;
import dev.conceptprune.eval.EvalImage;
import dev.conceptprune.eval.EvalModel;
import dev.conceptprune.eval.EvalPlanner;
import dev.conceptprune.eval.EvalStore;
import dev.conceptprune.eval.ImageBatch;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.function.Function;

/**
 * An executor's part of a Spark evaluation: one UNet batch, generated with the JVM's pipeline and
 * stored atomically by content key in the shared output folder. A retried or speculative copy finds
 * the images stored and does nothing. Bad input comes back as the outcome's error, so that the
 * driver reports it as a local run would instead of Spark retrying it.
 */
final class BatchTask implements Function<String, SparkJobs.Outcome> {
    private static final long serialVersionUID = 1L;

    private final String out;
    private final int batch;
    private final int threads;

    BatchTask(Path out, int batch, int threads) {
        this.out = out.toString();
        this.batch = batch;
        this.threads = threads;
    }

    @Override
    public SparkJobs.Outcome call(String json) {
        List<EvalImage> images = ImageBatch.decode(json);
        EvalStore store = new EvalStore(Path.of(out));
        // A retried or speculative copy may find the batch stored (then no model is loaded); a half-stored one
        // is computed again whole (in the same batch, so its pixels are the same) and only its missing images
        // are written.
        if (images.stream().allMatch(store::hasImage)) {
            return new SparkJobs.Outcome(0, null);
        }
        EvalGenerator generator = new EvalGenerator(batch, store, Progress.silent());
        EvalModel model = images.get(0).model();
        try {
            return ExecutorPipelines.with(model.key(), StableDiffusionPipeline.class, threads, () -> load(model),
                    pipe -> new SparkJobs.Outcome(generator.generate(pipe, model, images,
                            Progress.silent().task("eval", "image", images.size(), 0)), null));
        } catch (InputException e) {
            return new SparkJobs.Outcome(0, e.getMessage());
        }
    }

    /** The model's pipeline, once this JVM's view of its files is the driver's (hashed once per JVM and model). */
    private static StableDiffusionPipeline load(EvalModel model) {
        if (!EvalPlanner.modelKey(model.open(), model.options(), model.decode()).equals(model.key())) {
            throw new InputException(model.path() + " holds other files on this executor than on the driver (their "
                    + "content keys differ): every executor must see the same model files");
        }
        return EvalGenerator.load(model);
    }
}
