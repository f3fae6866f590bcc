package dev.conceptprune.bench;

import dev.conceptprune.prune.PruneMask;
import java.util.HashSet;
import java.util.Set;

/**
 * How much two masks share, counted in weights over every parameter either prunes.
 *
 * @param both      weights in both masks
 * @param either    weights in at least one
 * @param reference weights in the reference mask
 */
public record MaskOverlap(long both, long either, long reference) {
    /** The overlap of {@code other} with {@code reference}. */
    public static MaskOverlap of(PruneMask reference, PruneMask other) {
        Set<String> keys = new HashSet<>(reference.indices().keySet());
        keys.addAll(other.indices().keySet());
        long both = 0;
        long either = 0;
        for (String key : keys) {
            Set<Integer> a = set(reference.indices().get(key));
            Set<Integer> b = set(other.indices().get(key));
            Set<Integer> all = new HashSet<>(a);
            all.addAll(b);
            a.retainAll(b);
            both += a.size();
            either += all.size();
        }
        return new MaskOverlap(both, either, reference.count());
    }

    /** Weights in exactly one of the masks. */
    public long differ() {
        return either - both;
    }

    /** Weights in both over weights in either (Jaccard; 1 for two empty masks). */
    public double agreement() {
        return either == 0 ? 1 : both / (double) either;
    }

    /** The share of the reference mask's weights the other mask prunes too (1 for an empty reference). */
    public double recall() {
        return reference == 0 ? 1 : both / (double) reference;
    }

    private static Set<Integer> set(int[] values) {
        Set<Integer> s = new HashSet<>();
        if (values != null) {
            for (int v : values) {
                s.add(v);
            }
        }
        return s;
    }
}
