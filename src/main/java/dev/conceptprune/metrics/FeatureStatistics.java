package dev.conceptprune.metrics;

/**
 * The mean and covariance of a feature set (rows = samples), as {@code np.mean(axis=0)} and
 * {@code np.cov(rowvar=False)} give them: covariance with the n - 1 denominator. Computed once per
 * set, so a reference set's statistics serve every comparison against it.
 *
 * @param count      the number of samples
 * @param mean       the mean row
 * @param covariance the d x d sample covariance
 */
public record FeatureStatistics(int count, double[] mean, double[][] covariance) {
    /**
     * The statistics of {@code rows}: at least two samples of equal, non-zero length, all finite.
     *
     * @throws dev.conceptprune.io.InputException when the rows are not such a set
     */
    public static FeatureStatistics of(double[][] rows) {
        int d = FeatureRows.dimension("feature statistics", "feature set", rows);
        int n = rows.length;
        double[] mean = new double[d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[][] c = new double[d][d];
        double[] x = new double[d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                x[j] = row[j] - mean[j];
            }
            // Upper triangle only; mirrored below.
            for (int i = 0; i < d; i++) {
                double xi = x[i];
                double[] ci = c[i];
                for (int j = i; j < d; j++) {
                    ci[j] += xi * x[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                c[i][j] /= n - 1;
                c[j][i] = c[i][j];
            }
        }
        return new FeatureStatistics(n, mean, c);
    }

    /** The feature dimension. */
    public int dimension() {
        return mean.length;
    }
}
