package dev.conceptprune.bench;

import dev.conceptprune.prune.ColumnNorms;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.PruneMask;

/**
 * One discovery done both ways and how far apart the results are.
 *
 * @param fast early stop and batching ({@link ConceptDiscovery})
 * @param reference every prompt alone, all steps, VAE decode
 * @param normRelDiff max over calls, layers and both prompt sets of max|a - b| / max|reference|
 *        of the column norms
 * @param maskDiffer weights in exactly one of the two masks
 * @param maskSize weights in the reference mask
 */
public record DiscoveryComparison(ConceptDiscovery.Result fast, ConceptDiscovery.Result reference,
                                  double normRelDiff, long maskDiffer, long maskSize) {

    /** Compares the statistics and the masks made from them. */
    public static DiscoveryComparison of(ConceptDiscovery.Result fast, ConceptDiscovery.Result reference,
                                         PruneMask fastMask, PruneMask referenceMask) {
        double worst = Math.max(relDiff(fast.base(), reference.base()), relDiff(fast.target(), reference.target()));
        MaskOverlap overlap = MaskOverlap.of(referenceMask, fastMask);
        return new DiscoveryComparison(fast, reference, worst, overlap.differ(), overlap.reference());
    }

    /** Reference seconds over early-stop seconds. */
    public double speedup() {
        return reference.seconds() / fast.seconds();
    }

    /** Reference UNet calls over early-stop UNet calls. */
    public double callRatio() {
        return reference.unetCalls() / (double) fast.unetCalls();
    }

    private static double relDiff(ColumnNorms a, ColumnNorms ref) {
        double worst = 0;
        for (int t = 0; t < ref.calls(); t++) {
            for (int l = 0; l < ref.layers(); l++) {
                float[] x = a.norm(t, l);
                float[] r = ref.norm(t, l);
                double maxRef = 0;
                double maxDiff = 0;
                for (int j = 0; j < r.length; j++) {
                    maxRef = Math.max(maxRef, Math.abs(r[j]));
                    maxDiff = Math.max(maxDiff, Math.abs(x[j] - r[j]));
                }
                worst = Math.max(worst, maxDiff / Math.max(maxRef, 1e-30));
            }
        }
        return worst;
    }
}
