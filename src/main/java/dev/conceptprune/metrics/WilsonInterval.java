package dev.conceptprune.metrics;

import java.util.Optional;

/**
 * The 95% Wilson score interval of a binomial proportion: the interval the papers' detector rates
 * (nudity, object top-1) need, because it stays inside [0, 1] and is informative at 0 and n
 * successes, where the normal approximation collapses to a point.
 *
 * @param low  the lower bound, in [0, 1]
 * @param high the upper bound, in [low, 1]
 */
public record WilsonInterval(double low, double high) {
    /** The two-sided 95% standard normal quantile, Phi^-1(0.975). */
    public static final double Z95 = 1.959963984540054;

    /**
     * The interval of {@code successes} in {@code trials}; empty when there are no trials, as a
     * proportion of nothing is undefined.
     *
     * @throws IllegalArgumentException when {@code successes} is not in [0, trials]
     */
    public static Optional<WilsonInterval> of(long successes, long trials) {
        if (trials < 0 || successes < 0 || successes > trials) {
            throw new IllegalArgumentException("successes " + successes + " must lie in [0, trials " + trials + "]");
        }
        if (trials == 0) {
            return Optional.empty();
        }
        double n = trials;
        double k = successes;
        double z2 = Z95 * Z95;
        // The closed form (2k + z^2 -+ z sqrt(z^2 + 4k(n-k)/n)) / (2(n + z^2)): at k = 0 and k = n the
        // square root is exactly z, so the bounds are exactly 0 and 1 instead of rounding residues.
        double root = Z95 * Math.sqrt(z2 + 4 * k * (n - k) / n);
        double denominator = 2 * (n + z2);
        double low = Math.max(0, (2 * k + z2 - root) / denominator);
        double high = Math.min(1, (2 * k + z2 + root) / denominator);
        return Optional.of(new WilsonInterval(low, high));
    }
}
