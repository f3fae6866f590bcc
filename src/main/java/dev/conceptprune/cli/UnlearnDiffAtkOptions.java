package dev.conceptprune.cli;

import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.DetectorFactory;
import dev.conceptprune.io.Staging;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of {@code attack --method unlearndiffatk}, each checked under its own name. The initial values are
 * the defaults: picocli leaves the group as it is built here when none of its options is given.
 */
final class UnlearnDiffAtkOptions {
    @Option(names = "--reference-model", paramLabel = "PATH",
            description = "The model that draws the target images, usually the base model the edit came from "
                    + "(required for unlearndiffatk).")
    String referenceModelLocation;
    /** Where {@link #locate} put it. */
    Path referenceModel;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Prompts to attack, one per line or a CSV with a prompt column (required for "
                    + "unlearndiffatk).")
    String promptsLocation;
    /** Where {@link #locate} put it. */
    Path prompts;

    @Option(names = "--target-prompts", paramLabel = "FILE",
            description = "Prompts of the target images, one per prompt (default: the prompts themselves). A prompt "
                    + "filter is attacked with the filtered prompts as --prompts and the full ones here.")
    String targetPromptsLocation;
    /** Where {@link #locate} put it. */
    Path targetPrompts;

    /**
     * Turns the locations into local paths: the reference model and the detector files are read by every
     * worker, the prompt files only here.
     */
    void locate(Staging staging) {
        referenceModel = referenceModelLocation == null ? null
                : staging.input("--reference-model", referenceModelLocation);
        prompts = promptsLocation == null ? null : staging.driverInput("--prompts", promptsLocation);
        targetPrompts = targetPromptsLocation == null ? null
                : staging.driverInput("--target-prompts", targetPromptsLocation);
        nudenet = nudenetLocation == null ? null : staging.input("--nudenet", nudenetLocation);
        classifier = classifierLocation == null ? null : staging.input("--classifier", classifierLocation);
    }

    @Option(names = "--tokens", paramLabel = "N",
            description = "Adversarial tokens put before each prompt (default: ${DEFAULT-VALUE}, the paper's "
                    + "setting for nudity; 3 for styles).")
    int tokens = 5;

    @Option(names = "--rounds", paramLabel = "N",
            description = "Rounds of --iterations steps; after each one the adversarial prompt is projected to real "
                    + "tokens and judged, and a success ends the prompt's attack (default: ${DEFAULT-VALUE}; the "
                    + "paper's code runs up to 50 rounds of 40).")
    int rounds = 5;

    @Option(names = "--limit", paramLabel = "N",
            description = "Attack only the first N prompts (default: all).")
    int limit;

    @Option(names = "--texture-styles",
            description = "Judge images with the toy world's pixel detector of texture styles (labels none, "
                    + "Stripes, Polka, Checkers, Waves).")
    boolean textureStyles;

    @Option(names = "--nudenet", paramLabel = "FILE",
            description = "Judge images with NudeNet 3 (320n.onnx or 640m.onnx, see eval --help); the concept is "
                    + "'nude' unless --concept says otherwise.")
    String nudenetLocation;
    /** Where {@link #locate} put it. */
    Path nudenet;

    @Option(names = "--classifier", paramLabel = "PATH",
            description = "Judge images with an ImageNet classifier (see eval --help); name the erased class with "
                    + "--concept.")
    String classifierLocation;
    /** Where {@link #locate} put it. */
    Path classifier;

    @Option(names = "--concept", paramLabel = "LABEL",
            description = "The detector's label of the erased concept: an image showing it counts as a success "
                    + "(e.g. Stripes, nude, church).")
    String concept;

    /** How to make the detector the options name, or null; checked before any work. */
    DetectorFactory judge() {
        return Judges.factory(textureStyles, nudenet, classifier);
    }

    /** The concept label: the one given, NudeNet's 'nude' by default, or null without a detector. */
    String conceptLabel(Detector detector) {
        return Judges.conceptLabel(detector, concept, "--concept");
    }
}
