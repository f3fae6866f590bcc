package dev.conceptprune.cli;

import dev.conceptprune.prune.PruneFill;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** {@code --fill} and {@code --fill-seed}: the value pruned weights get, the same for erase and demo. */
public final class FillOptions {
    @Option(names = "--fill", paramLabel = "FILL",
            description = "What the pruned weights become: zero (erase's default, the paper's ConceptPrune); gaussian: "
                    + "noise drawn from the mean and standard deviation of each pruned parameter's kept weights; "
                    + "matched (sites attn2-k, attn2-v, attn2-kv): the values that make the prompts with the "
                    + "concept read like their neutral prompts while the preserved ones keep their keys and values, "
                    + "so erased prompts land on what the model draws without the concept instead of a neighbour "
                    + "(the demo's default where its sites allow it, docs/DEMO.md). Zeros show where the concept lived, and recovery attacks revive it from "
                    + "those positions (issue 17); the other fills hide them. Recorded in the mask (the matched "
                    + "values too), so apply gives the same model.")
    String fill;

    @Option(names = "--fill-seed", defaultValue = "0", paramLabel = "N",
            description = "Seed of the gaussian fill's noise (default: ${DEFAULT-VALUE}): the same seed gives the "
                    + "same weights, another seed other noise.")
    long seed;

    /** The fill asked for, or {@code orElse}'s when none is. */
    PruneFill fill(Supplier<PruneFill> orElse) {
        return fill == null ? orElse.get() : ErrorHandler.option("--fill", () -> PruneFill.of(fill, seed));
    }
}
