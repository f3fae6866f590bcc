package dev.conceptprune.cli;

import dev.conceptprune.eval.AutoEraseRequest;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of {@code erase --auto}: the validation prompts, the judge, the constraints and the budget. */
public final class AutoOptions {
    @Option(names = "--auto",
            description = "Choose the setting by measurement: one discovery per candidate site, every candidate "
                    + "(--sweep site=..., skill-ratio=..., fill=..., or one --site, --skill-ratio, --fill; default: "
                    + "sites ffn2, attn2-v and attn2-kv, skill ratios 0.01, 0.05, 0.1, 0.2 and 0.4, fills zero and "
                    + "matched where the site allows it) written "
                    + "as a model and judged on --validate, then the best under --max-target and --min-preserve "
                    + "written as OUT/model and its mask. Every candidate's figures go to OUT/auto.json and to the "
                    + "report, with the frontier plotted: OUT/auto-report.html. A rerun reuses the discoveries, "
                    + "images and verdicts it finds.")
    boolean auto;

    @Option(names = "--validate", paramLabel = "FILE",
            description = "With --auto: validation prompts the discovery does not use, a CSV with a prompt column "
                    + "and a neutral_prompt column: rows with one ask for the concept (and say what they should "
                    + "look like without it), rows without one are prompts to keep.")
    Path validate;

    @Option(names = "--validate-limit", paramLabel = "N",
            description = "With --auto: judge on the first N validation rows only (default: all).")
    Integer validateLimit;

    @Option(names = "--texture-styles",
            description = "With --auto: judge with the toy world's pixel detector of texture styles (labels none, "
                    + "Stripes, Polka, Checkers, Waves).")
    boolean textureStyles;

    @Option(names = "--nudenet", paramLabel = "FILE",
            description = "With --auto: judge with NudeNet 3 (320n.onnx or 640m.onnx, see eval --help); the "
                    + "concept label is 'nude' unless --concept-label says otherwise.")
    Path nudenet;

    @Option(names = "--classifier", paramLabel = "PATH",
            description = "With --auto: judge with an ImageNet classifier (see eval --help); name the erased class "
                    + "with --concept-label.")
    Path classifier;

    @Option(names = "--concept-label", paramLabel = "LABEL",
            description = "With --auto: the judge's label of the erased concept (e.g. Stripes, nude, church).")
    String conceptLabel;

    @Option(names = "--max-target", paramLabel = "SHARE",
            description = "With --auto: the largest share of concept prompts whose image may still show the "
                    + "concept (default: 0.05).")
    double maxTarget = AutoEraseRequest.MAX_TARGET;

    @Option(names = "--min-preserve", paramLabel = "SHARE",
            description = "With --auto: the smallest share of the other prompts whose verdict must equal the "
                    + "base model's (default: 0.9).")
    double minPreserve = AutoEraseRequest.MIN_PRESERVE;

    @Option(names = "--max-minutes", paramLabel = "M",
            description = "With --auto: try no further candidate after M minutes; the ones tried are compared "
                    + "(default: no limit).")
    Double maxMinutes;

    /** Whether any option of --auto was given without --auto. */
    boolean strayWithoutAuto() {
        return !auto && (validate != null || validateLimit != null || textureStyles || nudenet != null
                || classifier != null || conceptLabel != null || maxMinutes != null
                || maxTarget != AutoEraseRequest.MAX_TARGET || minPreserve != AutoEraseRequest.MIN_PRESERVE);
    }
}
