package dev.conceptprune.cli;

import dev.conceptprune.eval.AutoEraseResult;
import dev.conceptprune.io.InputException;
import dev.conceptprune.prune.PruneFill;
import java.nio.file.Path;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The demo's default site, skill ratio and fill: the setting {@code erase --auto} chose for the toy model,
 * stored with it ({@code models/toyworld/auto.json}), so the demo runs the measured choice without searching.
 */
public final class StoredDemoSetting implements IDefaultValueProvider {
    /** The stored search result beside the embedded model. */
    static Path file() {
        return DefaultModel.home().resolve("models/toyworld/auto.json");
    }

    /**
     * The chosen candidate of the stored search.
     *
     * @throws InputException naming the file when it is missing, unreadable or chose nothing
     */
    static AutoEraseResult.CandidateResult chosen() {
        Path f = file();
        return AutoEraseResult.read(f).chosenCandidate()
                .orElseThrow(() -> new InputException(f + ": the stored search chose no setting"));
    }

    /**
     * The chosen candidate's fill (a gaussian one with seed 0).
     *
     * @throws InputException naming the file when it records no fill this version knows
     */
    static PruneFill fill() {
        String recorded = chosen().fill();
        try {
            return PruneFill.of(recorded, 0);
        } catch (InputException e) {
            throw new InputException(file() + ": the stored setting's " + e.getMessage());
        }
    }

    /** Defaults for --site and --skill-ratio; none when the stored choice cannot be read (call() says why). */
    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o)) {
            return null;
        }
        try {
            return switch (o.longestName()) {
                case "--site" -> chosen().site();
                case "--skill-ratio" -> Double.toString(chosen().skillRatio());
                default -> null;
            };
        } catch (InputException e) {
            return null;
        }
    }
}
