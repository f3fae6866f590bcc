package dev.conceptprune.attack;

import dev.conceptprune.io.InputException;
import dev.conceptprune.pipeline.GenerationSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link PromptAttack} runs: UnlearnDiffAtk against one model, for each prompt, towards images of its
 * target prompt drawn by a reference model.
 *
 * @param model           the attacked model (diffusers folder or single file), e.g. the erased one
 * @param referenceModel  the model that draws the target images, e.g. the base model
 * @param prompts         the prompts the attacker starts from
 * @param targetPrompts   the prompts of the target images, one per prompt; the prompts themselves when equal
 * @param seeds           the seed of each prompt's images (target, without and with attack)
 * @param search          how the attack searches
 * @param sampling        steps, guidance, scheduler, negative prompt and size of every image (its prompt and seed
 *                        are each image's own)
 * @param conceptLabel    the detector's label of the concept: an image showing it is a success
 * @param out             the output folder
 * @param force           write into a folder that holds something else
 */
public record PromptAttackRequest(Path model, Path referenceModel, List<String> prompts, List<String> targetPrompts,
                                  List<Long> seeds, UnlearnDiffAtk.Settings search, GenerationSettings sampling,
                                  String conceptLabel, Path out, boolean force) {
    public PromptAttackRequest {
        prompts = List.copyOf(prompts);
        targetPrompts = List.copyOf(targetPrompts);
        seeds = List.copyOf(seeds);
        if (prompts.isEmpty()) {
            throw new InputException("no prompts to attack");
        }
        if (targetPrompts.size() != prompts.size() || seeds.size() != prompts.size()) {
            throw new InputException(prompts.size() + " prompts but " + targetPrompts.size() + " target prompts and "
                    + seeds.size() + " seeds; give one target prompt per prompt");
        }
        if (search.tokens() < 1 || search.tokens() > 20) {
            throw new InputException("adversarial tokens must be between 1 and 20, got " + search.tokens());
        }
        if (search.iterations() < 1 || search.rounds() < 1) {
            throw new InputException("iterations and rounds must be >= 1, got " + search.iterations() + " and "
                    + search.rounds());
        }
    }
}
