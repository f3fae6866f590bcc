package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import dev.conceptprune.clip.ClipScorer;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request into an {@link EvalPlan}, checking everything that can be checked without
 * loading weights (files, model folders, sampler options, labels), so that bad input fails in
 * seconds.
 */
public final class EvalPlanner {
    private EvalPlanner() {
    }

    /** The plan of a request; also checks its CLIP folder. */
    public static EvalPlan plan(EvalRequest r) {
        EvalPlan plan = plan(r.models(), r.prompts(), r.sampling(), r.labels(), r.labelColumn());
        checkClip(r.clip(), r.labels());
        return plan;
    }

    /** The plan for models and a prompt file. */
    public static EvalPlan plan(List<Path> models, Path prompts, SamplingDefaults sampling, List<String> labels,
                                String labelColumn) {
        PromptSet promptSet = PromptSet.read(prompts);
        List<String> names = EvalPlan.uniqueNames(models);
        List<EvalModel> evalModels = new ArrayList<>();
        GenerationSettings defaults = null;
        for (int i = 0; i < models.size(); i++) {
            DiffusersFolder folder = DiffusersFolder.open(models.get(i));
            for (Component component : List.of(Component.UNET, Component.VAE, Component.TEXT_ENCODER)) {
                folder.weightFiles(component);
            }
            folder.componentDir(Component.TOKENIZER);
            folder.configPath(Component.SCHEDULER);
            // Checks the sampler options at this model's size; the plan then sets the size per model.
            defaults = sampling.at(folder);
            evalModels.add(new EvalModel(names.get(i), models.get(i).toAbsolutePath().normalize(),
                    ContentKeys.ofModel(folder), defaults.height(), defaults.width()));
        }
        return EvalPlan.of(evalModels, promptSet, defaults, labels, labelColumn);
    }

    /** Checks a CLIP folder (and that labels come with one) before any heavy work. */
    public static void checkClip(Path clip, List<String> labels) {
        if (clip != null) {
            if (!Files.isDirectory(clip)) {
                throw new InputException("CLIP model " + clip + ": folder not found");
            }
            ClipScorer.check(clip);
        } else if (!labels.isEmpty()) {
            throw new InputException("zero-shot labels need a CLIP model to classify the images");
        }
    }
}
