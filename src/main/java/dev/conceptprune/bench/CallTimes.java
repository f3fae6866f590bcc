package dev.conceptprune.bench;

import dev.conceptprune.runtime.OpMeter;
import java.util.Arrays;
import java.util.Map;

/**
 * What timing one component produced: the wall time of every timed call, the metered ops of
 * those calls per kind, and the resident set after each call.
 *
 * @param name component name as the report keys it
 * @param input a short description of the call's input
 * @param millis wall time per timed call
 * @param kinds metered ops per kind, summed over the timed calls
 * @param rssAfterCall resident set in bytes after each timed call
 * @param kernelCpuFraction share of the timed calls' CPU time spent in the kernel (page faults)
 */
public record CallTimes(String name, String input, double[] millis, Map<OpMeter.Kind, KindTotals> kinds,
                        long[] rssAfterCall, double kernelCpuFraction) {

    /**
     * Metered ops of one kind over all timed calls.
     *
     * @param ops op calls
     * @param flops analytic FLOPs
     * @param millis wall time
     */
    public record KindTotals(long ops, long flops, double millis) {
    }

    /** Timed calls. */
    public int calls() {
        return millis.length;
    }

    /** Median wall time of a call, ms. */
    public double medianMillis() {
        return median(millis);
    }

    /** The median of call times. */
    static double median(double[] millis) {
        double[] s = millis.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Fastest call, ms. */
    public double minMillis() {
        return Arrays.stream(millis).min().orElse(Double.NaN);
    }

    /** Metered FLOPs of one call. */
    public long flopsPerCall() {
        return kinds.values().stream().mapToLong(KindTotals::flops).sum() / calls();
    }

    /** Achieved GFLOP/s at the median time. */
    public double gflops() {
        return flopsPerCall() / 1e6 / medianMillis();
    }

    /** Share of the timed wall time spent outside convolutions and matrix products. */
    public double outsideMatmulFraction() {
        double inside = kinds.entrySet().stream().filter(e -> e.getKey().isMatmul())
                .mapToDouble(e -> e.getValue().millis()).sum();
        return 1 - inside / Arrays.stream(millis).sum();
    }
}
