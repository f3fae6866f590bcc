package dev.conceptprune.attack;

import java.util.Arrays;

/**
 * Euclidean projection of a vector onto the probability simplex {x >= 0, sum x = 1}. UnlearnDiffAtk finds
 * the same point by bisection on the shift; the sort-based form (Held, Wolfe and Crowder; Duchi et al. 2008)
 * gives it exactly.
 */
final class SimplexProjection {
    private SimplexProjection() {
    }

    /** Projects {@code v[from, from + n)} in place. */
    static void project(float[] v, int from, int n) {
        float[] sorted = Arrays.copyOfRange(v, from, from + n);
        Arrays.sort(sorted);
        double cumulative = 0;
        double shift = 0;
        for (int i = n - 1, k = 1; i >= 0; i--, k++) {
            cumulative += sorted[i];
            double candidate = (cumulative - 1) / k;
            if (sorted[i] - candidate > 0) {
                shift = candidate;
            }
        }
        for (int i = from; i < from + n; i++) {
            v[i] = (float) Math.max(v[i] - shift, 0);
        }
    }
}
