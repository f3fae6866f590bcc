package dev.conceptprune.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything measured on one image.
 *
 * @param clipScore CLIP score of the image against its own prompt (a preservation measure), or null without CLIP
 * @param verdicts  per detector name, its verdict, in the run's detector order; empty without detectors
 */
public record ImageScores(Double clipScore, Map<String, Verdict> verdicts) {

    /** Copies the verdicts so that the record stays immutable. */
    public ImageScores {
        verdicts = Collections.unmodifiableMap(new LinkedHashMap<>(verdicts));
    }

    /** The verdict of the named detector, or null when it did not run. */
    public Verdict verdict(String detector) {
        return verdicts.get(detector);
    }
}
