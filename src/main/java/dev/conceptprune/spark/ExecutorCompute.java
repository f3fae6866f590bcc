package dev.conceptprune.spark;

import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Runtime;
import java.io.Serializable;

/**
 * The driver's process-wide compute settings, which an executor JVM takes before each task so its pixels
 * equal a local run's: libtorch's intra-op threads (they decide how libtorch splits its sums) and the
 * float32 convolution algorithm ({@code --conv}).
 *
 * @param threads libtorch intra-op threads per executor JVM
 * @param conv    how float32 3x3 convolutions compute
 */
record ExecutorCompute(int threads, ConvAlgorithm conv) implements Serializable {
    /** {@code threads} with this process's convolution algorithm, the driver's. */
    static ExecutorCompute withThreads(int threads) {
        return new ExecutorCompute(threads, Runtime.convAlgorithm());
    }

    /**
     * Sets both in this JVM, checked against libtorch itself (another user of the JVM may have changed the
     * thread count since the last task).
     */
    void apply() {
        Runtime.setThreads(threads);
        Runtime.pinThreads();
        Runtime.setConvAlgorithm(conv);
    }
}
