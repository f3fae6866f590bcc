package dev.conceptprune.prune;

import dev.conceptprune.io.InputException;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.model.SingleFileOptions;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What {@link EraseJob} does: the concepts to erase from a model, where and how strongly, the
 * observation runs' settings and the output folder.
 *
 * @param model the diffusers model folder or single-file checkpoint
 * @param modelOptions how to complete a single-file checkpoint ({@link SingleFileOptions#NONE} for a folder)
 * @param skillRatio the skill ratio of every concept, or null for each concept's default
 * @param tau UNet calls observed and united
 * @param selectRatio prune weights skilled in more than this share of the tau calls
 * @param batch prompts per UNet batch during discovery
 * @param settings steps, guidance, scheduler, seed, size and negative prompt of the observation runs
 * @param fill the value the pruned weights get in the edited model, recorded in every mask
 * @param neutralPrompts for the matched fill: what each target prompt should read like, paired in order;
 *     null for the concept's base prompts
 * @param preservedPrompts for the matched fill: prompts whose keys and values must not change; null for the
 *     concept's base prompts
 * @param sweep further masks from the same discovery, or null
 * @param force replace an existing edited model
 */
public record EraseRequest(Path model, SingleFileOptions modelOptions, List<Concept> concepts, PruneSite site,
                           Double skillRatio, int tau, double selectRatio, int batch, GenerationSettings settings,
                           PruneFill fill, List<String> neutralPrompts, List<String> preservedPrompts, Sweep sweep,
                           Path out, boolean force) {
    /**
     * Further settings measured from one discovery per concept.
     *
     * @param skillRatios swept skill ratios; empty: the concept's skill ratio only
     * @param taus swept taus; empty: the request's tau only
     */
    public record Sweep(List<Double> skillRatios, List<Integer> taus) {
        public Sweep {
            skillRatios = List.copyOf(skillRatios);
            taus = List.copyOf(taus);
            for (double r : skillRatios) {
                checkRatio(r);
            }
            for (int t : taus) {
                if (t < 1) {
                    throw new InputException("swept tau values must be >= 1, got " + t);
                }
            }
        }
    }

    public EraseRequest {
        concepts = List.copyOf(concepts);
        Objects.requireNonNull(fill, "fill");
        if (concepts.isEmpty()) {
            throw new InputException("name a concept to erase");
        }
        Concept.requireDistinct(concepts);
        if (fill.kind() == PruneFill.Kind.MATCHED) {
            if (!site.readsTextStates()) {
                throw new InputException("the matched fill solves weights that read the text states: use it with "
                        + "the sites attn2-k, attn2-v or attn2-kv, not " + site.id());
            }
            if (concepts.size() > 1) {
                throw new InputException("the matched fill solves one concept's values: erase one concept per run "
                        + "with it");
            }
            if (neutralPrompts != null && neutralPrompts.size() != concepts.get(0).pairs().size()) {
                throw new InputException("the neutral prompts pair with the target prompts: " + neutralPrompts.size()
                        + " neutral prompts for " + concepts.get(0).pairs().size() + " target prompts");
            }
        } else if (neutralPrompts != null || preservedPrompts != null) {
            throw new InputException("neutral and preserved prompts are for the matched fill");
        }
        if (skillRatio != null) {
            checkRatio(skillRatio);
        }
        if (tau < 1) {
            throw new InputException("tau must be >= 1, got " + tau);
        }
        if (!(selectRatio >= 0 && selectRatio < 1)) {
            throw new InputException("select ratio must be in [0, 1), got " + selectRatio);
        }
        if (batch < 1) {
            throw new InputException("batch must be >= 1, got " + batch);
        }
    }

    private static void checkRatio(double r) {
        if (!(r > 0 && r <= 1)) {
            throw new InputException("skill ratio must be in (0, 1], got " + r);
        }
    }

    /** The skill ratio of one concept's main mask. */
    public double skillRatio(Concept c) {
        return skillRatio != null ? skillRatio : c.defaultSkillRatio();
    }

    /** The prompts the matched fill matches for concept {@code c}. */
    public MatchedFill.Prompts matchedPrompts(Concept c) {
        List<String> bases = c.pairs().stream().map(PromptPair::base).toList();
        return new MatchedFill.Prompts(c.pairs().stream().map(PromptPair::target).toList(),
                neutralPrompts != null ? neutralPrompts : bases, preservedPrompts != null ? preservedPrompts : bases);
    }

    /** The taus of the sweep masks: the swept ones, or this request's tau. */
    public List<Integer> sweptTaus() {
        return sweep == null || sweep.taus().isEmpty() ? List.of(tau) : sweep.taus();
    }

    /** UNet calls each discovery observes: enough for the main mask and every swept tau. */
    public int observedTau() {
        return Math.max(tau, Collections.max(sweptTaus()));
    }

    /** The skill ratios of one concept's sweep masks: the swept ones, or the concept's skill ratio. */
    public List<Double> sweptSkillRatios(Concept c) {
        return sweep == null || sweep.skillRatios().isEmpty() ? List.of(skillRatio(c)) : sweep.skillRatios();
    }

    /** The taus the sweep masks are built with: one (1) at a site without time steps, where tau means nothing. */
    public List<Integer> sweptTausAtSite() {
        return site.timeDependent() ? sweptTaus() : List.of(1);
    }

    /** Sweep masks written per concept (0 without a sweep). */
    public int sweepSettings(Concept c) {
        return sweep == null ? 0 : sweptSkillRatios(c).size() * sweptTausAtSite().size();
    }

    /** Batches of prompts one concept's discovery runs (each prompt pair is two prompts). */
    public int discoveryBatches(Concept c) {
        return (2 * c.pairs().size() + batch - 1) / batch;
    }

    /** UNet calls of one concept's discovery: tau per batch, none at the sites read from the text encoder. */
    public int discoveryUnetCalls(Concept c) {
        return site.timeDependent() ? discoveryBatches(c) * observedTau() : 0;
    }

}
