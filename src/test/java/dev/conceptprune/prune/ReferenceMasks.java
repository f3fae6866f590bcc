package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conceptprune.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;

/** A mask against a fixture's reference union masks ({@code conceptprune/} of tiny-sd and tiny-sdxl). */
final class ReferenceMasks {
    private ReferenceMasks() {
    }

    /**
     * {agreeing, selected} over the entries either mask selects, for {@code params}; every entry
     * outside {@code fragile_masks.safetensors} must agree.
     */
    static long[] compare(PruneMask mask, Path conceptprune, Collection<String> params) {
        long[] c = count(mask, conceptprune, params, true);
        return new long[] {c[0], c[1]};
    }

    /**
     * {differing, differing outside the fragile entries, selected by either} for {@code params}, asserting
     * nothing: for masks found with other numerics (bf16) than the reference's.
     */
    static long[] differences(PruneMask mask, Path conceptprune, Collection<String> params) {
        long[] c = count(mask, conceptprune, params, false);
        return new long[] {c[1] - c[0], c[2], c[1]};
    }

    /** {agreeing, selected, differing outside the fragile entries}; with {@code strict} none may differ there. */
    private static long[] count(PruneMask mask, Path conceptprune, Collection<String> params, boolean strict) {
        long agree = 0;
        long selected = 0;
        long solid = 0;
        try (SafetensorsFile union = SafetensorsFile.open(conceptprune.resolve("union_masks.safetensors"));
             SafetensorsFile fragile = SafetensorsFile.open(conceptprune.resolve("fragile_masks.safetensors"))) {
            for (String p : params) {
                long[] ref = union.readLongs(p);
                long[] frag = fragile.readLongs("fragile_union." + p);
                boolean[] mine = new boolean[ref.length];
                for (int i : mask.indices().get(p)) {
                    mine[i] = true;
                }
                for (int i = 0; i < ref.length; i++) {
                    boolean refOn = ref[i] != 0;
                    if (refOn || mine[i]) {
                        selected++;
                        if (refOn == mine[i]) {
                            agree++;
                        }
                    }
                    if (frag[i] == 0 && refOn != mine[i]) {
                        solid++;
                        if (strict) {
                            assertEquals(refOn, mine[i], p + " entry " + i + " (not fragile)");
                        }
                    }
                }
            }
        }
        return new long[] {agree, selected, solid};
    }

    /** The parameter names of the reference union masks. */
    static Set<String> names(Path conceptprune) {
        try (SafetensorsFile union = SafetensorsFile.open(conceptprune.resolve("union_masks.safetensors"))) {
            return union.tensors().keySet();
        }
    }
}
