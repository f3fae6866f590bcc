package dev.conceptprune.cli;

import dev.conceptprune.attack.RecoverySettings;
import dev.conceptprune.io.InputException;
import dev.conceptprune.prune.PruneSite;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code attack --method recover}, each checked under its own name. The initial values are
 * the defaults: picocli leaves the group as it is built here when none of its options is given.
 */
final class RecoverOptions {
    @Option(names = "--site", split = ",", paramLabel = "SITE",
            description = "Sites whose weights are searched for pruned matrices, comma-separated: ffn2 (default, "
                    + "the paper's ff.net.2), ffn1, attn2-k, attn2-v, attn2-kv, text-mlp, as erase --help describes them.")
    List<String> sites = new ArrayList<>(List.of("ffn2"));

    @Option(names = "--top-ratio", paramLabel = "R",
            description = "Share of each matrix's pruned entries, largest recovered magnitude first, that keep "
                    + "their recovered sign; the rest stay 0 (default: ${DEFAULT-VALUE}, the paper's).")
    double topRatio = 0.6;

    @Option(names = "--tolerance", paramLabel = "T",
            description = "Relative change at which the completion stops (default: ${DEFAULT-VALUE}).")
    double tolerance = 1e-5;

    @Option(names = "--min-zero-share", paramLabel = "S",
            description = "Share of exact zeros from which a matrix counts as pruned, so that the few natural "
                    + "zeros of fp16 weights do not (default: ${DEFAULT-VALUE}).")
    double minZeroShare = 0.001;

    /** The settings with at most {@code iterations} of the completion; a bad value is reported under its option. */
    RecoverySettings settings(int iterations) {
        List<PruneSite> parsed = ErrorHandler.option("--site", () -> sites.stream().map(PruneSite::parse).toList());
        if (!(topRatio > 0 && topRatio <= 1)) {
            throw new InputException("--top-ratio must be in (0, 1], got " + topRatio);
        }
        if (iterations < 1) {
            throw new InputException("--iterations must be >= 1, got " + iterations);
        }
        if (!(tolerance > 0 && Double.isFinite(tolerance))) {
            throw new InputException("--tolerance must be a positive number, got " + tolerance);
        }
        if (!(minZeroShare > 0 && minZeroShare <= 1)) {
            throw new InputException("--min-zero-share must be in (0, 1], got " + minZeroShare);
        }
        return new RecoverySettings(parsed, topRatio, iterations, tolerance, minZeroShare);
    }
}
