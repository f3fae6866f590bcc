package dev.conceptprune.attack;

import dev.conceptprune.io.InputException;
import dev.conceptprune.prune.PruneSite;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How the weight-recovery attack runs ("Roots Beneath the Cut").
 *
 * @param sites          the pruning sites whose layers are searched for pruned matrices (repeats count once)
 * @param topRatio       the share of a matrix's missing entries, largest recovered magnitudes first, that keep
 *                       their recovered sign (the rest stay 0); the paper uses 0.6
 * @param iterations     the completion's iteration cap (the paper's 500)
 * @param tolerance      the completion's relative change at which it stops (the paper's 1e-5)
 * @param minZeroShare   the share of exact zeros from which a matrix counts as pruned, so that the few natural
 *                       zeros of half-precision weights do not make every matrix a target
 */
public record RecoverySettings(List<PruneSite> sites, double topRatio, int iterations, double tolerance,
                               double minZeroShare) {
    /** The paper's settings on {@code ffn2}. */
    public static final RecoverySettings PAPER = new RecoverySettings(List.of(PruneSite.FFN2), 0.6, 500, 1e-5, 0.001);

    /** Checks every value; a bad one is an {@link InputException} naming it. */
    public RecoverySettings {
        sites = List.copyOf(new LinkedHashSet<>(sites));
        if (sites.isEmpty()) {
            throw new InputException("name at least one site");
        }
        if (!(topRatio > 0 && topRatio <= 1)) {
            throw new InputException("the top ratio must be in (0, 1], got " + topRatio);
        }
        if (iterations < 1) {
            throw new InputException("the iteration cap must be >= 1, got " + iterations);
        }
        if (!(tolerance > 0 && Double.isFinite(tolerance))) {
            throw new InputException("the tolerance must be a positive number, got " + tolerance);
        }
        if (!(minZeroShare > 0 && minZeroShare <= 1)) {
            throw new InputException("the minimum zero share must be in (0, 1], got " + minZeroShare);
        }
    }
}
