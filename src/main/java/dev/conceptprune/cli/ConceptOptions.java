package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import dev.conceptprune.prune.Concept;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The concept selection options of {@code erase}: presets from the paper or the user's prompt files. */
public final class ConceptOptions {
    @Option(names = "--style", paramLabel = "ARTIST", description = "Erase an artist's style (repeatable), e.g. \"Van Gogh\".")
    List<String> styles = new ArrayList<>();

    @Option(names = "--nudity", description = "Erase nudity.")
    boolean nudity;

    @Option(names = "--object", paramLabel = "NAME", description = "Erase an object (repeatable), e.g. parachute.")
    List<String> objects = new ArrayList<>();

    @Option(names = "--gender", paramLabel = "female|male", description = "Erase a gender (female: female -> male).")
    String gender;

    @Option(names = "--memorized", paramLabel = "FILE", description = "Erase memorised images: a file of their captions, one per line.")
    Path memorized;

    @Option(names = "--base-prompts", paramLabel = "FILE", description = "Your own prompts without the concept (one per line, or a CSV with a prompt column) ...")
    Path basePrompts;

    @Option(names = "--target-prompts", paramLabel = "FILE", description = "... and the same prompts with it, paired in order.")
    Path targetPrompts;

    @Option(names = "--concept-name", paramLabel = "NAME", description = "Name for --base-prompts/--target-prompts (default: the target file's name).")
    String conceptName;

    /** All requested concepts, in a stable order; refused when two would write the same files. */
    List<Concept> resolve(long seed) {
        List<Concept> out = new ArrayList<>();
        styles.forEach(s -> out.add(ErrorHandler.option("--style", () -> Concept.style(s, seed))));
        if (nudity) {
            out.add(Concept.nudity(seed));
        }
        objects.forEach(o -> out.add(ErrorHandler.option("--object", () -> Concept.object(o, seed))));
        if (gender != null) {
            out.add(ErrorHandler.option("--gender", () -> Concept.gender(gender, seed)));
        }
        if (memorized != null) {
            out.add(ErrorHandler.option("--memorized", () -> Concept.memorized(memorized, seed)));
        }
        if ((basePrompts == null) != (targetPrompts == null)) {
            throw new InputException("--base-prompts and --target-prompts go together");
        }
        if (basePrompts != null) {
            out.add(Concept.fromFiles(basePrompts, targetPrompts, conceptName, seed));
        }
        Concept.requireDistinct(out);
        return out;
    }
}
