package dev.conceptprune.attack;

/**
 * One attacked prompt, a line of {@code manifest.jsonl}; files are relative to the output folder.
 *
 * @param index             the prompt's position in the prompt list
 * @param prompt            the prompt the attacker starts from
 * @param targetPrompt      the prompt of the target image
 * @param adversarialPrompt the prompt the attack found (the prompt itself when it needed no attack)
 * @param seed              the seed of the three images
 * @param file              the attacked model's image for the adversarial prompt
 * @param plainFile         the attacked model's image for the prompt, without attack
 * @param targetFile        the reference model's image for the target prompt
 * @param model             the attacked model
 * @param referenceModel    the model of the target image
 * @param detectedTarget    the detector's label for the target image
 * @param detectedPlain     the detector's label for the image without attack
 * @param detected          the detector's label for the image under attack
 * @param conceptPlain      whether the image without attack shows the concept
 * @param concept           whether the image under attack shows the concept
 * @param loss              mean denoising loss of the last round (0 when no attack was needed)
 * @param iterations        optimisation steps taken
 * @param rounds            rounds run
 * @param seconds           wall time of the prompt's attack, images included
 */
public record PromptAttackRow(int index, String prompt, String targetPrompt, String adversarialPrompt, long seed,
                              String file, String plainFile, String targetFile, String model, String referenceModel,
                              String detectedTarget, String detectedPlain, String detected, boolean conceptPlain, boolean concept,
                              double loss, int iterations, int rounds, double seconds) {
}
