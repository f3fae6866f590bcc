package dev.conceptprune.metrics;

/**
 * The kernel distance (KID when the features are Inception's) between two feature sets: the
 * unbiased estimate of the squared maximum mean discrepancy with the cubic polynomial kernel
 * {@code k(x, y) = (x.y / d + 1)^3}, over the whole sets (no random subsets, so the value is
 * deterministic), in float64:
 * {@code sum_{i!=j} k(a_i, a_j) / (m(m-1)) + sum_{i!=j} k(b_i, b_j) / (n(n-1)) - 2 sum k(a_i, b_j) / (mn)}.
 * It can be slightly negative when the sets come from one distribution. Cost: {@code (m + n)^2 d / 2}
 * multiply-adds, quadratic in the set sizes (sample subsets for sets of tens of thousands).
 */
public final class KernelInceptionDistance {
    private static final String METRIC = "kernel inception distance";

    private KernelInceptionDistance() {
    }

    /** The unbiased MMD^2 between {@code a} and {@code b} (rows = samples, equal lengths, at least 2 rows each). */
    public static double between(double[][] a, double[][] b) {
        int d = FeatureRows.dimension(METRIC, a, b);
        int m = a.length;
        int n = b.length;
        double withinA = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                withinA += kernel(a[i], a[j], d);
            }
        }
        double withinB = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                withinB += kernel(b[i], b[j], d);
            }
        }
        double across = 0;
        for (double[] x : a) {
            for (double[] y : b) {
                across += kernel(x, y, d);
            }
        }
        // The within sums cover each unordered pair once, the i != j sums twice.
        return 2 * withinA / ((double) m * (m - 1)) + 2 * withinB / ((double) n * (n - 1))
                - 2 * across / ((double) m * n);
    }

    private static double kernel(double[] x, double[] y, int d) {
        double dot = 0;
        for (int i = 0; i < d; i++) {
            dot += x[i] * y[i];
        }
        double base = dot / d + 1;
        return base * base * base;
    }
}
