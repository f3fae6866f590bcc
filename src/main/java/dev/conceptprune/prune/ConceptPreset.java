package dev.conceptprune.prune;

import java.util.List;

/**
 * A built-in kind of concept: its prompt pairs come from the paper's templates and word lists, so
 * naming the concept is enough.
 *
 * @param kind the concept kind: style, object, nudity or gender
 * @param example the concept built for a placeholder name; its pairs show the template
 * @param paperNames the concepts of this kind the paper erases (any other name is built the same way)
 */
public record ConceptPreset(String kind, Concept example, List<String> paperNames) {
    /** What stands for the user's name in the example prompts. */
    public static final String PLACEHOLDER = "{name}";

    /** Every preset. */
    public static List<ConceptPreset> all() {
        return List.of(
                new ConceptPreset("style", Concept.style(PLACEHOLDER, 0), Concept.words("artists.txt")),
                new ConceptPreset("object", Concept.object(PLACEHOLDER, 0), Concept.words("imagenette_classes.txt")),
                new ConceptPreset("nudity", Concept.nudity(0), List.of()),
                new ConceptPreset("gender", Concept.gender("female", 0), List.of("female", "male")));
    }
}
