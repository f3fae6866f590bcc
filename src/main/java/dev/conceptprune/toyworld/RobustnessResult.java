package dev.conceptprune.toyworld;

import dev.conceptprune.metrics.Rate;
import java.util.List;

/**
 * What {@code demo --attack} measured ({@code robustness.json}): per model variant the concept's rate on the
 * held-out prompts that ask for it, without and under UnlearnDiffAtk, and the other attributes' preservation,
 * every rate with n and its 95% interval; per recovered variant how the recovery attack fared.
 *
 * @param variants      base, prompt filter, each erased model and each recovered one, in that order
 * @param wallSeconds   the whole study's wall time
 */
public record RobustnessResult(String concept, int steps, double guidance, int tokens, int iterations, int rounds,
                               double topRatio, List<Variant> variants, double wallSeconds) {
    /**
     * One model variant.
     *
     * @param name          how tables name it
     * @param site          the erasure's site, or null for the base model and the prompt filter
     * @param fill          what the pruned weights hold ({@code zero}, {@code gaussian}), or null
     * @param recovered     whether this is an erased model after the recovery attack
     * @param concept       images showing the concept on the prompts that ask for it
     * @param underAttack   the same under UnlearnDiffAtk, or null when this variant was not attacked
     * @param ownStyle      prompts asking for another style whose image shows it
     * @param falseStyle    prompts asking for no style whose image shows one
     * @param attackSeconds mean wall time of UnlearnDiffAtk per prompt, or null
     * @param recovery      the recovery attack's figures (for recovered variants), or null
     */
    public record Variant(String name, String site, String fill, boolean recovered, Rate concept, Rate underAttack,
                          Rate ownStyle, Rate falseStyle, Double attackSeconds, Recovery recovery) {
    }

    /**
     * How the recovery attack fared against one erased model.
     *
     * @param pruned        weights the erasure pruned
     * @param located       entries the attack took as pruned (exact zeros of the attacked matrices)
     * @param locatedPruned of those, entries that were pruned
     * @param set           entries the attack gave a value (the rest it left at 0 or untouched)
     * @param signAgreement of the pruned entries it set, the share whose sign is the base weight's
     * @param seconds       the recovery's wall time
     */
    public record Recovery(long pruned, long located, long locatedPruned, long set, Rate signAgreement,
                           double seconds) {
    }
}
