package dev.conceptprune.toyworld;

import dev.conceptprune.io.InputException;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.MatchedFill;
import dev.conceptprune.prune.PromptPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The toy world's prompt lists: {@code <concept>_base.txt} and {@code <concept>_target.txt} per
 * concept, plus the evaluation lists, in the {@code prompts/} folder beside the model folder.
 */
public final class ToyWorldPrompts {
    private static final String BASE = "_base.txt";
    private static final List<String> STYLES = List.of("Stripes", "Polka", "Checkers", "Waves");

    private ToyWorldPrompts() {
    }

    /** The prompt lists of a toy-world model folder, or empty when {@code model} is not one. */
    public static Optional<Path> of(Path model) {
        Path parent = model.toAbsolutePath().normalize().getParent();
        if (parent == null || !Files.isDirectory(model)) {
            return Optional.empty();
        }
        Path prompts = parent.resolve("prompts");
        return Files.isRegularFile(prompts.resolve("acceptance.txt")) ? Optional.of(prompts) : Optional.empty();
    }

    /** The concepts that have both prompt lists, in lower case and sorted. */
    public static List<String> concepts(Path prompts) {
        try (Stream<Path> files = Files.list(prompts)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(BASE))
                    .map(n -> n.substring(0, n.length() - BASE.length()))
                    .filter(c -> Files.isRegularFile(prompts.resolve(c + "_target.txt")))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the toy-world prompts in " + prompts, e);
        }
    }

    /** Whether {@code concept} (any case) is one of the texture styles, which the pixel detector sees. */
    public static boolean isStyle(String concept) {
        return styleLabel(concept) != null;
    }

    /** The texture detector's label of a style named in any case, or null for a concept that is not a style. */
    public static String styleLabel(String concept) {
        return STYLES.stream().filter(s -> s.equalsIgnoreCase(concept)).findFirst().orElse(null);
    }

    /**
     * What the matched fill matches for a toy concept: a style's target captions should read like the same
     * caption with the style's name left out ({@code ... in the style of}, which the model draws plain as
     * often as a caption without a style), while the same captions in the other styles and the base
     * captions keep their keys and values. A shape's targets match its base prompts.
     */
    public static MatchedFill.Prompts matched(Concept concept) {
        List<String> targets = concept.pairs().stream().map(PromptPair::target).toList();
        List<String> bases = concept.pairs().stream().map(PromptPair::base).toList();
        String style = styleLabel(concept.name());
        if (style == null) {
            return new MatchedFill.Prompts(targets, bases, bases);
        }
        String phrase = " in the style of ";
        List<String> neutrals = new ArrayList<>();
        List<String> preserved = new ArrayList<>();
        for (String t : targets) {
            neutrals.add(t.replace(phrase + style, phrase.stripTrailing()));
            for (String other : STYLES) {
                if (!other.equals(style)) {
                    preserved.add(t.replace(phrase + style, phrase + other));
                }
            }
        }
        preserved.addAll(bases);
        return new MatchedFill.Prompts(targets, neutrals, preserved);
    }

    /** Checks that the toy world has prompt lists for {@code concept} (any case). */
    public static void requireConcept(Path prompts, String concept) {
        List<String> known = concepts(prompts);
        if (!known.contains(concept.toLowerCase(Locale.ROOT))) {
            throw new InputException("the toy world has no concept '" + concept + "'; its concepts are "
                    + String.join(", ", known));
        }
    }
}
