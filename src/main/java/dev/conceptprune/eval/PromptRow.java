package dev.conceptprune.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One prompt of a prompt set, with the per-row settings the file gives.
 *
 * @param line       the 1-based line of the file where the row starts
 * @param seed       {@code evaluation_seed}, or null when the row has none and the caller's default applies
 * @param guidance   {@code evaluation_guidance}, or null when the row has none
 * @param caseNumber {@code case_number}, or null when the row has none
 * @param labels     every other column (such as {@code class}, {@code artist} or {@code categories}),
 *                   by header name, in file order
 */
public record PromptRow(int line, String prompt, Long seed, Double guidance, Integer caseNumber,
                        Map<String, String> labels) {

    /** Copies the labels so that the record stays immutable. */
    public PromptRow {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }
}
