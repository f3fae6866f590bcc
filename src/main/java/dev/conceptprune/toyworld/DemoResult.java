package dev.conceptprune.toyworld;

import java.util.List;

/** What the demo measured, written as {@code metrics.json} (or {@code sweep.json} for a sweep). */
public record DemoResult(String concept, int steps, double guidance, double wallSeconds, List<SettingResult> results) {
    /** One setting: its mask's size and the before/after measures. */
    public record SettingResult(String setting, String site, double skillRatio, int tau, long pruned,
                                double prunedFractionOfUnet, double discoverySeconds, ErasureMetrics metrics) {
    }
}
