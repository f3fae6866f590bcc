package dev.conceptprune.spark;

import dev.conceptprune.runtime.Runtime;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What one executor JVM holds loaded: a pipeline (or an attacker's pipelines), loaded by the first
 * task that needs it and reused by the next ones (the driver sends one model's or one attack's items
 * in one job, so a JVM holds one at a time). Tasks of one JVM take turns on it, all on one worker
 * thread: libtorch already spreads a batch over the JVM's threads, and its per-thread state
 * (gradient mode, OpenMP's thread team) is then set once.
 */
final class ExecutorPipelines {
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "conceptprune-pipeline");
        t.setDaemon(true);
        return t;
    });
    private static String key;
    private static AutoCloseable held;
    private static boolean inference;

    private ExecutorPipelines() {
    }

    /**
     * Runs {@code work} on what {@code key} names, loading it with {@code load} (and closing what was held)
     * first when this JVM holds something else.
     *
     * @param compute the driver's threads and convolution algorithm, taken for every task
     */
    static <R extends AutoCloseable, T> T with(String key, Class<R> type, ExecutorCompute compute, Supplier<R> load,
                                               Function<R, T> work) {
        Future<T> result = WORKER.submit(() -> {
            compute.apply();
            if (!inference) {
                Runtime.inferenceOnThisThread();
                inference = true;
            }
            if (!key.equals(ExecutorPipelines.key)) {
                close();
                held = load.get();
                ExecutorPipelines.key = key;
            }
            return work.apply(type.cast(held));
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            // Spark interrupts a task it kills (speculation, a cancelled job): the item in progress finishes.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("task interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Closes what is held (in local mode the driver's JVM is the executor's). */
    static void closeAll() {
        try {
            WORKER.submit(() -> {
                close();
                return null;
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void close() throws Exception {
        if (held != null) {
            AutoCloseable h = held;
            held = null;
            key = null;
            h.close();
        }
    }
}
