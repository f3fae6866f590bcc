package dev.conceptprune.attack;

import java.util.Arrays;

/**
 * The weight-recovery attack on one pruned matrix ("Roots Beneath the Cut", Zhang et al., CVPR 2026),
 * from the edited weights alone: the pruned entries are its exact zeros; {@link SoftImpute} completes
 * them; the share {@code 1 - topRatio} of them with the smallest recovered magnitude is dropped (stays 0)
 * and the rest keep the recovered sign; each kept entry takes the largest magnitude of its row's
 * observed entries, so that the revived weights dominate their output neuron.
 */
public final class WeightRecovery {
    private WeightRecovery() {
    }

    /**
     * One matrix recovered.
     *
     * @param indices    the flat row-major indices of the entries the attack sets, ascending
     * @param values     their new values, one per index
     * @param missing    the matrix's zeros, the entries taken as pruned
     * @param keptShare  the share of the missing entries that were set (kept their sign), 0 without any
     * @param iterations the completion's iterations
     * @param converged  whether the completion met its tolerance before its cap
     * @param seconds    the wall time of the whole recovery
     */
    public record Result(int[] indices, float[] values, int missing, double keptShare, int iterations,
                         boolean converged, double seconds) {
    }

    /**
     * Recovers the {@code rows x cols} row-major matrix {@code weight} (rows are output neurons). A matrix
     * with no zero, or nothing but zeros, is left as it is.
     */
    public static Result recover(float[] weight, int rows, int cols, RecoverySettings settings,
                                 SoftImpute.Listener listener) {
        long start = System.nanoTime();
        if (weight.length != (long) rows * cols) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix has " + (long) rows * cols
                    + " entries, got " + weight.length);
        }
        int[] missing = zeros(weight);
        if (missing.length == 0 || missing.length == weight.length) {
            return new Result(new int[0], new float[0], missing.length, 0, 0, true, seconds(start));
        }
        double[] given = new double[weight.length];
        boolean[] observed = new boolean[weight.length];
        for (int i = 0; i < weight.length; i++) {
            given[i] = weight[i];
            observed[i] = weight[i] != 0;
        }
        SoftImpute.Result completed = SoftImpute.complete(given, observed, rows, cols, settings.iterations(),
                settings.tolerance(), listener);
        double[] recovered = new double[missing.length];
        for (int k = 0; k < missing.length; k++) {
            recovered[k] = completed.values()[missing[k]];
        }
        float[] revived = scale(weight, cols, missing, retainSigns(recovered, settings.topRatio()));
        int[] indices = new int[missing.length];
        float[] values = new float[missing.length];
        int n = 0;
        for (int k = 0; k < missing.length; k++) {
            if (revived[k] != 0) {
                indices[n] = missing[k];
                values[n++] = revived[k];
            }
        }
        return new Result(Arrays.copyOf(indices, n), Arrays.copyOf(values, n), missing.length,
                n / (double) missing.length, completed.iterations(), completed.converged(), seconds(start));
    }

    /** The flat indices of the exact zeros (either sign), ascending. */
    static int[] zeros(float[] weight) {
        int n = 0;
        for (float w : weight) {
            n += w == 0 ? 1 : 0;
        }
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < weight.length; i++) {
            if (weight[i] == 0) {
                out[k++] = i;
            }
        }
        return out;
    }

    /**
     * Top-ratio sign retention over a matrix's missing entries: with {@code drop = floor((1 - topRatio) * n)}
     * of the {@code n} entries, every entry whose magnitude is at most the {@code drop}-th smallest gets sign
     * 0 (ties drop together, as in their code), the others the sign of their recovered value.
     */
    static int[] retainSigns(double[] recovered, double topRatio) {
        int n = recovered.length;
        // Their pipeline hands the completion on as float32 before it ranks magnitudes; ties are judged there.
        float[] magnitude = new float[n];
        for (int k = 0; k < n; k++) {
            magnitude[k] = Math.abs((float) recovered[k]);
        }
        int drop = (int) ((1 - topRatio) * n);
        float threshold = Float.NEGATIVE_INFINITY;
        if (drop > 0) {
            float[] sorted = magnitude.clone();
            Arrays.sort(sorted);
            threshold = sorted[drop - 1];
        }
        int[] signs = new int[n];
        for (int k = 0; k < n; k++) {
            signs[k] = magnitude[k] <= threshold ? 0 : (int) Math.signum(recovered[k]);
        }
        return signs;
    }

    /**
     * Neuron-max scaling: each missing entry (flat index {@code missing[k]}) becomes {@code signs[k]} times
     * the largest magnitude of its row's observed entries; a dropped entry, or one in a row of zeros, stays 0.
     * Their code takes the larger of that maximum times {@code 1 + 1e-6} and the magnitude of a draw from the
     * row's normal distribution; the row maximum almost always wins, so it is used alone, deterministically.
     */
    static float[] scale(float[] weight, int cols, int[] missing, int[] signs) {
        float[] rowMax = new float[weight.length / cols];
        for (int i = 0; i < weight.length; i++) {
            rowMax[i / cols] = Math.max(rowMax[i / cols], Math.abs(weight[i]));
        }
        float[] out = new float[missing.length];
        for (int k = 0; k < missing.length; k++) {
            float max = rowMax[missing[k] / cols];
            out[k] = signs[k] == 0 || max == 0 ? 0 : signs[k] * max;
        }
        return out;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
