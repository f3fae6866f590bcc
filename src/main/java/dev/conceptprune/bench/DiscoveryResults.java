package dev.conceptprune.bench;

/**
 * One timed discovery against the reference procedure.
 *
 * @param model the model folder
 * @param pairs prompt pairs discovered on
 * @param batch prompts per UNet batch of the fast run
 */
public record DiscoveryResults(String model, int pairs, int tau, int steps, int height, int width, int batch,
                               DiscoveryComparison comparison) {
}
