package dev.conceptprune.prune;

/** A base prompt (without the concept) and its target (with it), sampled from the same seed. */
public record PromptPair(String base, String target, long seed) {
}
