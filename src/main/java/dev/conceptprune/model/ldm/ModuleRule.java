package dev.conceptprune.model.ldm;

import java.util.List;

/**
 * A stored module path, the diffusers module path it corresponds to, and the renames of what lies
 * below it. An empty path stands for the component's root.
 */
record ModuleRule(String stored, String diffusers, List<LeafRule> leaves) {

    ModuleRule {
        leaves = List.copyOf(leaves);
    }

    /** The name below {@code path}, or null when {@code name} is not below it. */
    static String inside(String path, String name) {
        if (path.isEmpty()) {
            return name;
        }
        return name.startsWith(path + ".") ? name.substring(path.length() + 1) : null;
    }

    static String join(String path, String leaf) {
        return path.isEmpty() ? leaf : path + "." + leaf;
    }
}
