package dev.conceptprune.toyworld;

/** One image of the demo, a line of {@code manifest.jsonl}; {@code file} is relative to the output folder. */
public record ManifestLine(String file, String prompt, long seed, String model, int steps, double guidance,
                           String promptStyle, String detectedStyle, String promptScene, String detectedScene) {
}
