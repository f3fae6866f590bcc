package dev.conceptprune.prune;

import com.google.gson.annotations.JsonAdapter;
import dev.conceptprune.io.OmittedWhenNull;
import java.util.List;
import java.util.Map;

/**
 * What {@link EraseJob} did, written as {@code summary.json}: per concept the mask and its cost,
 * and for the united mask the share of the site's and the component's weights it zeroes; {@code device} and
 * {@code dtype} are what the discovery computed on and in (cpu, float32: the reference).
 */
public record EraseResult(String model, List<ConceptResult> concepts, long prunedTotal, String site,
                          double fractionOfSiteWeights, String component, double fractionOfComponentWeights, int steps,
                          double guidance, int height, int width, String baseFingerprint, String device,
                          String dtype, double wallSeconds) {

    /** One erased concept; {@code mask} and the sweep masks are relative to the output folder. */
    public record ConceptResult(String concept, String kind, String mask, double skillRatio, int tau,
                                double selectRatio, List<PromptPair> pairs, Map<String, Integer> prunedPerLayer,
                                long pruned, double discoverySeconds, int discoveryUnetCalls, int referenceUnetCalls,
                                @JsonAdapter(value = OmittedWhenNull.class, nullSafe = false) List<SweepMask> sweep) {
    }

    /** One swept setting's mask. */
    public record SweepMask(double skillRatio, int tau, long pruned, String mask) {
    }
}
