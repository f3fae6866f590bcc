package dev.conceptprune.prune;

import dev.conceptprune.model.Component;

/**
 * One observed layer of a pruning site: the weight it prunes and the width of that weight's input
 * (its columns, the statistics' width).
 */
public record SiteLayer(Component component, String parameter, int width) {
    /** The name the mask gives this layer's weight. */
    public String maskKey() {
        return MaskKey.of(component, parameter);
    }
}
