package dev.conceptprune.attack;

import java.util.List;

/**
 * What {@link RecoveryAttack} did, written as {@code recovery.json}: the settings, each recovered matrix
 * with its figures, each skipped one with the reason, and where the recovered model is.
 *
 * @param maxIterations  the completion's iteration cap
 * @param recoveredModel the recovered model, relative to the output folder
 * @param unchanged      true when no matrix was recovered: the model written is a copy of the input
 */
public record RecoveryResult(String model, String method, List<String> sites, double topRatio, int maxIterations,
                             double tolerance, double minZeroShare, int matricesRecovered, int matricesSkipped,
                             long entriesMissing, long entriesSet, boolean unchanged, String recoveredModel,
                             List<Matrix> recovered, List<Skipped> skipped, double wallSeconds) {

    /**
     * One recovered matrix.
     *
     * @param missing    its exact zeros, taken as pruned
     * @param set        the entries the attack set (the others stay 0)
     * @param keptShare  {@code set / missing}
     * @param iterations the completion's iterations
     * @param converged  whether the completion met the tolerance before the cap
     */
    public record Matrix(String parameter, long[] shape, double zeroShare, int missing, int set, double keptShare,
                         int iterations, boolean converged, double seconds) {
    }

    /** A matrix of the sites left as it is, and why. */
    public record Skipped(String parameter, double zeroShare, String reason) {
    }
}
