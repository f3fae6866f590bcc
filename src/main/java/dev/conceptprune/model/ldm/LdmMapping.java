package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The result of converting one file's names: each component's parameters, and the stored tensors
 * no parameter comes from (for {@code inspect}).
 */
public final class LdmMapping {
    private final Map<Component, ComponentMapping> components;
    private final List<UnusedTensor> unused;
    private final boolean hasEma;
    private final WeightSet weights;

    LdmMapping(Map<Component, ComponentMapping> components, List<UnusedTensor> unused, boolean hasEma,
               WeightSet weights) {
        this.components = new EnumMap<>(components);
        this.unused = List.copyOf(unused);
        this.hasEma = hasEma;
        this.weights = weights;
    }

    public ComponentMapping component(Component c) {
        return components.get(c);
    }

    /** Every stored tensor that no parameter reads, with the reason. */
    public List<UnusedTensor> unused() {
        return unused;
    }

    /** The unused tensors the converter has no rule for: what {@code inspect} should point out. */
    public List<UnusedTensor> unexplained() {
        return unused.stream().filter(u -> !u.explained()).toList();
    }

    /** True when the file carries EMA copies of the UNet weights. */
    public boolean hasEma() {
        return hasEma;
    }

    /** Which UNet weights the mapping reads. */
    public WeightSet weights() {
        return weights;
    }
}
