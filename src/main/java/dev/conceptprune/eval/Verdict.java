package dev.conceptprune.eval;

import dev.conceptprune.clip.ZeroShot;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A detector's judgement of one image.
 *
 * @param probabilities probability per class, in the detector's label order
 * @param bestLabel     the class the detector reports for the image (the flagged concept)
 * @param counts        per finer class the detector tallies (NudeNet's exposed classes), 1 when the
 *                      image shows it and 0 when not; empty for detectors without such classes
 */
public record Verdict(Map<String, Double> probabilities, String bestLabel, Map<String, Integer> counts) {

    /** A verdict without finer classes. */
    public Verdict(Map<String, Double> probabilities, String bestLabel) {
        this(probabilities, bestLabel, Map.of());
    }

    /** Copies the maps so that the record stays immutable; a stored verdict without counts reads as none. */
    public Verdict {
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
        counts = counts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        if (!probabilities.containsKey(bestLabel)) {
            throw new IllegalArgumentException("best label '" + bestLabel + "' is not among " + probabilities.keySet());
        }
    }

    /** The verdict of a zero-shot classification. */
    public static Verdict of(ZeroShot z) {
        Map<String, Double> p = new LinkedHashMap<>();
        double[] probs = z.probabilities();
        for (int i = 0; i < probs.length; i++) {
            p.put(z.labels().get(i), probs[i]);
        }
        return new Verdict(p, z.bestLabel());
    }
}
