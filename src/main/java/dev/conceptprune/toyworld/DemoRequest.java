package dev.conceptprune.toyworld;

import dev.conceptprune.io.InputException;
import dev.conceptprune.prune.PruneFill;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ToyWorldDemo} runs.
 *
 * @param model the toy-world model folder
 * @param prompts the folder of its prompt lists ({@code <concept>_base.txt}, {@code acceptance.txt}, ...)
 * @param concept the style or shape to erase
 * @param settings the settings to measure; more than one makes a sweep
 * @param limit the first N prompts of each evaluation list only, or null for all
 * @param seeds images per evaluation prompt, each from its own seed
 * @param fill the value the pruned weights get in the edited models, recorded in the masks
 * @param attack the robustness study to run as well ({@code demo --attack}), or null
 * @param force write into a folder that is not a previous demo output
 */
public record DemoRequest(Path model, Path prompts, String concept, List<DemoSetting> settings, int steps,
                          double guidance, int batch, Integer limit, int seeds, PruneFill fill, RobustnessStudy.Plan attack, Path out,
                          boolean force) {
    public DemoRequest {
        settings = List.copyOf(settings);
        Objects.requireNonNull(fill, "fill");
        if (settings.isEmpty()) {
            throw new InputException("the demo needs at least one setting");
        }
        if (batch < 1) {
            throw new InputException("batch must be >= 1, got " + batch);
        }
        if (seeds < 1) {
            throw new InputException("the seeds per evaluation prompt must be >= 1, got " + seeds);
        }
        if (limit != null && limit < 1) {
            throw new InputException("the prompt limit must be >= 1 (the first N prompts of each evaluation list), got "
                    + limit);
        }
        ToyWorldPrompts.requireConcept(prompts, concept);
        if (fill.kind() == PruneFill.Kind.MATCHED && settings.stream().anyMatch(s -> !s.site().readsTextStates())) {
            throw new InputException("the matched fill solves weights that read the text states: every site must be "
                    + "attn2-k, attn2-v or attn2-kv");
        }
        if (attack != null && !ToyWorldPrompts.isStyle(concept)) {
            throw new InputException("--attack judges images by their style: " + concept + " is not one of the toy "
                    + "world's styles (Stripes, Polka, Checkers, Waves)");
        }
    }

    /** Whether several settings are measured (files go under {@code sweep/}). */
    public boolean isSweep() {
        return settings.size() > 1;
    }

    /** UNet calls each discovery observes: enough for every setting. */
    public int observedTau() {
        return settings.stream().mapToInt(DemoSetting::tau).max().orElse(1);
    }
}
