package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.ConceptPreset;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.toyworld.ToyWorldPrompts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The concept selection options of {@code erase}: presets from the paper or the user's prompt files. */
public final class ConceptOptions {
    /** How each preset kind is asked for on the command line. */
    private static final Map<String, String> PRESET_OPTIONS = Map.of("style", "--style ARTIST", "object",
            "--object NAME", "nudity", "--nudity", "gender", "--gender female");

    @Option(names = "--style", paramLabel = "ARTIST",
            description = "Erase an artist's style (repeatable), e.g. \"Van Gogh\".")
    List<String> styles = new ArrayList<>();

    @Option(names = "--nudity", description = "Erase nudity.")
    boolean nudity;

    @Option(names = "--object", paramLabel = "NAME", description = "Erase an object (repeatable), e.g. parachute.")
    List<String> objects = new ArrayList<>();

    @Option(names = "--gender", paramLabel = "GENDER",
            description = "Erase a gender: female (female -> male) or male.")
    String gender;

    @Option(names = "--memorized", paramLabel = "FILE",
            description = "Erase memorised images: a file of their captions, one per line.")
    Path memorized;

    @Option(names = "--base-prompts", paramLabel = "FILE",
            description = "Your own prompts without the concept (one per line, or a CSV with a prompt column);"
                    + " with --target-prompts.")
    Path basePrompts;

    @Option(names = "--target-prompts", paramLabel = "FILE",
            description = "The same prompts with the concept, paired in order with --base-prompts.")
    Path targetPrompts;

    @Option(names = "--concept-name", paramLabel = "NAME",
            description = "Name for --base-prompts/--target-prompts (default: the target file's name).")
    String conceptName;

    @Option(names = "--list-presets",
            description = "List the built-in concepts (artists, objects, nudity, gender) with their prompt "
                    + "templates, then stop; needs no --out.")
    boolean listPresets;

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

    /** Prints the presets, each with its prompt template and the concepts the paper erases. */
    void printPresets(PrintWriter o) {
        o.println("Built-in concepts: prompt pairs from the paper's templates and word lists");
        o.println("(erase --dry-run prints every pair).");
        for (ConceptPreset p : ConceptPreset.all()) {
            String option = PRESET_OPTIONS.get(p.kind());
            String name = option.substring(option.indexOf(' ') + 1);
            PromptPair first = p.example().pairs().get(0);
            o.printf("%n%s%n  %d pairs like \"%s\" / \"%s\"; skill ratio %s%n", option, p.example().pairs().size(),
                    first.base().replace(ConceptPreset.PLACEHOLDER, name),
                    first.target().replace(ConceptPreset.PLACEHOLDER, name), p.example().defaultSkillRatio());
            if (!p.paperNames().isEmpty()) {
                o.printf("  in the paper: %s%n", String.join(", ", p.paperNames()));
            }
        }
        o.printf("%n--memorized FILE%n  the empty prompt / each caption of FILE%n");
        o.printf("%n--base-prompts FILE --target-prompts FILE%n  your own pairs, line by line%n");
        ToyWorldPrompts.of(DefaultModel.model()).ifPresent(lists -> o.printf("%nThe toy-world model knows only its "
                + "own captions: use its prompt lists in %s%n  (CONCEPT_base.txt, CONCEPT_target.txt for %s)%n", lists,
                String.join(", ", ToyWorldPrompts.concepts(lists))));
        o.flush();
    }

    /**
     * A warning when preset concepts are erased from the toy-world model: their prompts are not its
     * captions, so the mask would follow nothing the model learned.
     */
    Optional<String> toyWorldWarning(Path model, List<Concept> concepts) {
        Optional<Concept> preset = concepts.stream()
                .filter(c -> PRESET_OPTIONS.containsKey(c.kind())).findFirst();
        if (preset.isEmpty()) {
            return Optional.empty();
        }
        String example = preset.get().pairs().get(0).target();
        return ToyWorldPrompts.of(model).map(prompts -> "preset prompts such as \"" + example + "\" are outside "
                + "the toy world's captions; erase its concepts with its prompt lists, e.g. --base-prompts "
                + prompts.resolve("stripes_base.txt") + " --target-prompts " + prompts.resolve("stripes_target.txt"));
    }
}
