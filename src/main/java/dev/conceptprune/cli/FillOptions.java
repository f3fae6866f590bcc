package dev.conceptprune.cli;

import dev.conceptprune.prune.PruneFill;
import picocli.CommandLine.Option;

/** {@code --fill} and {@code --fill-seed}: the value pruned weights get, the same for erase and demo. */
public final class FillOptions {
    @Option(names = "--fill", defaultValue = "zero", paramLabel = "FILL",
            description = "What the pruned weights become: zero (default, the paper's ConceptPrune), or gaussian: "
                    + "noise drawn from the mean and standard deviation of each pruned parameter's kept weights. "
                    + "Zeros show where the concept lived, and recovery attacks revive it from those positions "
                    + "(issue 17); the gaussian fill hides them. Recorded in the mask, so apply gives the same model.")
    String fill;

    @Option(names = "--fill-seed", defaultValue = "0", paramLabel = "N",
            description = "Seed of the gaussian fill's noise (default: ${DEFAULT-VALUE}): the same seed gives the "
                    + "same weights, another seed other noise.")
    long seed;

    /** The fill asked for. */
    PruneFill fill() {
        return ErrorHandler.option("--fill", () -> PruneFill.of(fill, seed));
    }
}
