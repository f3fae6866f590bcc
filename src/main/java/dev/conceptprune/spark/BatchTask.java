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
 * driver reports it as a local run would instead of Spark retrying it. With an output folder on a Hadoop
 * file system the task works in its machine's mirror of it: it fetches the batch's files that are stored
 * there, and uploads the ones it wrote.
 */
final class BatchTask implements Function<String, SparkJobs.Outcome> {
    private static final long serialVersionUID = 1L;

    private final String out;
    private final int batch;
    private final ExecutorCompute compute;
    private final StagedInputs inputs;
    private final OutputMirror mirror;

    /**
     * @param out    the output folder (the mirror's local folder when {@code mirror} is not null)
     * @param inputs the remote inputs to stage on the executor before its first load
     * @param mirror the output folder's mirror, or null when the output folder is shared
     */
    BatchTask(Path out, int batch, ExecutorCompute compute, StagedInputs inputs, OutputMirror mirror) {
        this.out = out.toString();
        this.batch = batch;
        this.compute = compute;
        this.inputs = inputs;
        this.mirror = mirror;
    }

    @Override
    public SparkJobs.Outcome call(String json) {
        List<EvalImage> images = ImageBatch.decode(json);
        EvalStore store = new EvalStore(Path.of(out));
        List<String> files = images.stream().flatMap(i -> store.written(i).stream()).toList();
        if (mirror != null) {
            mirror.pull(files);
        }
        // A retried or speculative copy may find the batch stored (then no model is loaded); a half-stored one
        // is computed again whole (in the same batch, so its pixels are the same) and only its missing images
        // are written.
        if (images.stream().allMatch(store::hasImage)) {
            if (mirror != null) {
                mirror.push(files);
            }
            return new SparkJobs.Outcome(0, null);
        }
        EvalGenerator generator = new EvalGenerator(batch, store, Progress.silent());
        EvalModel model = images.get(0).model();
        try {
            SparkJobs.Outcome done = ExecutorPipelines.with(model.key(), StableDiffusionPipeline.class, compute,
                    () -> load(model), pipe -> new SparkJobs.Outcome(generator.generate(pipe, model, images,
                            Progress.silent().task("eval", "image", images.size(), 0)), null));
            if (mirror != null) {
                mirror.push(files);
            }
            return done;
        } catch (InputException e) {
            return new SparkJobs.Outcome(0, e.getMessage());
        }
    }

    /** The model's pipeline, once this JVM's view of its files is the driver's (hashed once per JVM and model). */
    private StableDiffusionPipeline load(EvalModel model) {
        inputs.stageAll();
        if (!EvalPlanner.modelKey(model.open(), model.options(), model.decode(), model.compute(),
                model.device(), compute.conv()).equals(model.key())) {
            throw new InputException(model.path() + " holds other files on this executor than on the driver (their "
                    + "content keys differ): every executor must see the same model files");
        }
        return EvalGenerator.load(model);
    }
}
