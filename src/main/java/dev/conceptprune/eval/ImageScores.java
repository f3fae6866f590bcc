package dev.conceptprune.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CLIP's judgement of one image.
 *
 * @param clipScore     CLIP score of the image against its own prompt
 * @param probabilities zero-shot probability per label, in label order; empty without labels
 * @param bestLabel     the most probable label, or null without labels
 */
public record ImageScores(double clipScore, Map<String, Double> probabilities, String bestLabel) {

    /** Copies the probabilities so that the record stays immutable. */
    public ImageScores {
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
    }

    /** Scores from a CLIP score and an optional zero-shot result. */
    public static ImageScores of(double clipScore, ZeroShot zeroShot) {
        Map<String, Double> p = new LinkedHashMap<>();
        if (zeroShot == null) {
            return new ImageScores(clipScore, p, null);
        }
        double[] probs = zeroShot.probabilities();
        for (int i = 0; i < probs.length; i++) {
            p.put(zeroShot.labels().get(i), probs[i]);
        }
        return new ImageScores(clipScore, p, zeroShot.bestLabel());
    }
}
