package dev.conceptprune.bench;

import java.util.Arrays;
import java.util.Map;

/**
 * What timing a peer engine's UNet produced, beside ours on the same weights and inputs.
 *
 * @param id the peer's {@link UNetPeer#id()}
 * @param engine the engine and its version, e.g. "ONNX Runtime 1.29.0, MatMul attention"
 * @param millis wall time per timed call
 * @param flopsPerCall our analytic FLOPs of one call (the same network)
 * @param maxAbsDiff largest difference between the peer's output and ours on the last timed call
 * @param opMillis the peer's own per-operator time per call, by operator type, largest first
 */
public record PeerTimes(String id, String engine, double[] millis, long flopsPerCall, double maxAbsDiff,
                        Map<String, Double> opMillis) {

    /** Median wall time of a call, ms. */
    public double medianMillis() {
        return CallTimes.median(millis);
    }

    /** Fastest call, ms. */
    public double minMillis() {
        return Arrays.stream(millis).min().orElse(Double.NaN);
    }

    /** Achieved GFLOP/s at the median time. */
    public double gflops() {
        return flopsPerCall / 1e6 / medianMillis();
    }
}
