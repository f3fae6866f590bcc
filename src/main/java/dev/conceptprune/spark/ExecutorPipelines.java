package dev.conceptprune.spark;

import dev.conceptprune.eval.EvalGenerator;
import dev.conceptprune.eval.EvalModel;
import dev.conceptprune.eval.EvalPlanner;
import dev.conceptprune.io.InputException;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.runtime.Runtime;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The pipeline of one executor JVM: loaded on the first task of a model and reused by the next
 * ones (the driver sends a model's batches in one job, so a JVM holds one model at a time).
 * Tasks of one JVM take turns on it, all on one worker thread: libtorch already spreads a batch
 * over the JVM's threads, and its per-thread state (gradient mode, OpenMP's thread team) is then
 * set once.
 */
final class ExecutorPipelines {
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "conceptprune-pipeline");
        t.setDaemon(true);
        return t;
    });
    private static String key;
    private static StableDiffusionPipeline pipeline;
    private static int pinnedThreads;

    private ExecutorPipelines() {
    }

    /** Runs {@code work} on {@code model}'s pipeline, loading it (and closing another) first when needed. */
    static <T> T with(EvalModel model, int threads, Function<StableDiffusionPipeline, T> work) {
        Future<T> result = WORKER.submit(() -> {
            // The thread count decides how libtorch splits its sums, so it is set for every batch: the pixels
            // equal a local run's with the same --threads.
            if (pinnedThreads != threads) {
                Runtime.setThreads(threads);
                Runtime.pinThreads();
                Runtime.inferenceOnThisThread();
                pinnedThreads = threads;
            }
            if (!model.key().equals(key)) {
                close();
                requireSameFiles(model);
                pipeline = EvalGenerator.load(model);
                key = model.key();
            }
            return work.apply(pipeline);
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            // Spark interrupts a task it kills (speculation, a cancelled job): the batch in progress finishes.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("task interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Closes the held pipeline (in local mode the driver's JVM is the executor's). */
    static void closeAll() {
        try {
            WORKER.submit(ExecutorPipelines::close).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Hashes this JVM's view of the model's files (once per JVM and model; cached by file digests). */
    private static void requireSameFiles(EvalModel model) {
        if (!EvalPlanner.modelKey(model.open(), model.options(), model.decode()).equals(model.key())) {
            throw new InputException(model.path() + " holds other files on this executor than on the driver (their "
                    + "content keys differ): every executor must see the same model files");
        }
    }

    private static void close() {
        if (pipeline != null) {
            pipeline.close();
            pipeline = null;
            key = null;
        }
    }
}
