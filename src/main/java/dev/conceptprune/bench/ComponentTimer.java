package dev.conceptprune.bench;

import dev.conceptprune.runtime.ProcessCpu;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.conceptprune.runtime.OpMeter;
import dev.conceptprune.runtime.ProcessMemory;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Times a component's forward call: warm-up calls first (libtorch picks kernels and grows its
 * buffers), then timed calls with the op meter open. Each call runs in its own sub-manager
 * that is closed right after, so what a call leaves behind shows in the resident set.
 */
public final class ComponentTimer {
    private final NDManager manager;
    private final int warmup;
    private final int calls;
    private final PrintStream progress;
    private final boolean collectBeforeSample;

    /**
     * @param collectBeforeSample run a full GC before reading the resident set after each call,
     *        so that its trend shows live memory, not the JVM's heap filling with garbage
     * @param progress where a line per call goes, or null
     */
    public ComponentTimer(NDManager manager, int warmup, int calls, boolean collectBeforeSample, PrintStream progress) {
        if (warmup < 0 || calls < 1) {
            throw new IllegalArgumentException("warm-up calls must be >= 0 and timed calls >= 1, got " + warmup
                    + " and " + calls);
        }
        this.manager = manager;
        this.warmup = warmup;
        this.calls = calls;
        this.progress = progress;
        this.collectBeforeSample = collectBeforeSample;
    }

    /** @param call computes the component's output in the manager it is given */
    public CallTimes time(String name, String input, Function<NDManager, NDArray> call) {
        for (int i = 0; i < warmup; i++) {
            double ms = once(call);
            log("%s: warm-up %d/%d %.1f ms", name, i + 1, warmup, ms);
        }
        double[] millis = new double[calls];
        long[] rss = new long[calls];
        Map<OpMeter.Kind, CallTimes.KindTotals> kinds = new EnumMap<>(OpMeter.Kind.class);
        double[] cpuBefore = ProcessCpu.userAndKernelSeconds();
        try (OpMeter meter = OpMeter.open()) {
            for (int i = 0; i < calls; i++) {
                millis[i] = once(call);
                if (collectBeforeSample) {
                    System.gc();
                }
                rss[i] = ProcessMemory.rss();
                log("%s: call %d/%d %.1f ms, RSS %d MB", name, i + 1, calls, millis[i], rss[i] >> 20);
            }
            for (OpMeter.Kind k : OpMeter.Kind.values()) {
                if (meter.calls(k) > 0) {
                    kinds.put(k, new CallTimes.KindTotals(meter.calls(k), meter.flops(k), meter.nanos(k) / 1e6));
                }
            }
        }
        double[] cpuAfter = ProcessCpu.userAndKernelSeconds();
        double user = cpuAfter[0] - cpuBefore[0];
        double kernel = cpuAfter[1] - cpuBefore[1];
        return new CallTimes(name, input, millis, kinds, rss, user + kernel > 0 ? kernel / (user + kernel) : 0);
    }

    private double once(Function<NDManager, NDArray> call) {
        try (NDManager m = manager.newSubManager()) {
            long start = System.nanoTime();
            NDArray out = call.apply(m);
            if (out.getDevice().isGpu()) {
                // CUDA kernels run after their launch returns: reading one number back waits for all of them
                try (NDArray first = out.flatten().get(0)) {
                    first.toFloatArray();
                }
            }
            return (System.nanoTime() - start) / 1e6;
        }
    }

    private void log(String format, Object... args) {
        if (progress != null) {
            progress.printf(format + "%n", args);
        }
    }
}
