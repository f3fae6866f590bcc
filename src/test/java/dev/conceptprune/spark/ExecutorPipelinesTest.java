package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.pytorch.jni.JniUtils;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Runtime;
import org.junit.jupiter.api.Test;

/** A task computes with the driver's threads and convolution algorithm, whatever its JVM had set. */
class ExecutorPipelinesTest {
    @Test
    void everyTaskTakesTheDriversComputeSettings() {
        int threads = Runtime.threads();
        try {
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
            String seen = ExecutorPipelines.with("settings", AutoCloseable.class,
                    new ExecutorCompute(1, ConvAlgorithm.DIRECT), () -> () -> { },
                    held -> JniUtils.getNumThreads() + " " + Runtime.convAlgorithm().id());
            assertEquals("1 direct", seen);
            seen = ExecutorPipelines.with("settings", AutoCloseable.class,
                    new ExecutorCompute(2, ConvAlgorithm.WINOGRAD4), () -> () -> { },
                    held -> JniUtils.getNumThreads() + " " + Runtime.convAlgorithm().id());
            assertEquals("2 winograd4", seen);
        } finally {
            ExecutorPipelines.closeAll();
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
            Runtime.setThreads(threads);
        }
    }
}
