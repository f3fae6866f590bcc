package dev.conceptprune.model.ldm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The name correspondence of one component, in both directions, as a table of module rules. Names
 * are local: without the component's prefix in the file, as diffusers names its parameters.
 * A name is looked up in the deepest module that holds it, so a block's rules take precedence
 * over the root's.
 */
final class NameTable {

    /** A name on the other side and the leaf rule that produced it. */
    record Target(String name, LeafRule rule) {
    }

    private final List<ModuleRule> byStoredDepth;
    private final List<ModuleRule> byDiffusersDepth;

    NameTable(List<ModuleRule> rules) {
        byStoredDepth = rules.stream()
                .sorted(Comparator.comparingInt((ModuleRule r) -> r.stored().length()).reversed()).toList();
        byDiffusersDepth = rules.stream()
                .sorted(Comparator.comparingInt((ModuleRule r) -> r.diffusers().length()).reversed()).toList();
    }

    /**
     * The diffusers parameters a stored tensor holds: none when no rule explains it, three for a
     * fused q;k;v tensor, otherwise one.
     */
    List<Target> toDiffusers(String stored) {
        for (ModuleRule m : byStoredDepth) {
            String leaf = ModuleRule.inside(m.stored(), stored);
            if (leaf == null) {
                continue;
            }
            List<Target> out = new ArrayList<>();
            for (LeafRule r : m.leaves()) {
                String rest = LeafRule.below(r.stored(), leaf);
                if (rest != null) {
                    out.add(new Target(ModuleRule.join(m.diffusers(), r.diffusers() + rest), r));
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        return List.of();
    }

    /** The stored tensor a diffusers parameter lives in, if any rule places it. */
    Optional<Target> toStored(String diffusers) {
        for (ModuleRule m : byDiffusersDepth) {
            String leaf = ModuleRule.inside(m.diffusers(), diffusers);
            if (leaf == null) {
                continue;
            }
            for (LeafRule r : m.leaves()) {
                String rest = LeafRule.below(r.diffusers(), leaf);
                if (rest != null) {
                    return Optional.of(new Target(ModuleRule.join(m.stored(), r.stored() + rest), r));
                }
            }
        }
        return Optional.empty();
    }
}
