package dev.conceptprune.prune;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.unet.FeedForwardLayer;
import dev.conceptprune.unet.UNet2DConditionModel;
import java.util.Arrays;
import java.util.Map;

/** Zeroes masked {@code ff.net.2} weights of a loaded UNet in place, to sample from the edited model without export. */
public final class InMemoryPruner {
    private InMemoryPruner() {
    }

    /** Applies every mask entry that names an {@code ff.net.2} weight of this UNet; returns the zeroed count. */
    public static long apply(UNet2DConditionModel unet, PruneMask mask) {
        long zeroed = 0;
        for (FeedForwardLayer layer : unet.feedForwardLayers()) {
            int[] idx = mask.indices().get(layer.name() + ".weight");
            if (idx == null) {
                continue;
            }
            NDArray w = unet.feedForwardOutWeight(layer.index());
            float[] keep = new float[Math.toIntExact(w.size())];
            Arrays.fill(keep, 1f);
            for (int i : idx) {
                keep[i] = 0f;
            }
            // An in-place product rather than overwriting the array from a Java buffer: libtorch warns
            // about the deprecated dispatch mode DJL's buffer copy uses. Negative weights become -0.0,
            // which computes exactly as 0.
            try (NDArray factor = w.getManager().create(keep, w.getShape())) {
                w.muli(factor);
            }
            zeroed += idx.length;
        }
        for (Map.Entry<String, int[]> e : mask.indices().entrySet()) {
            boolean known = unet.feedForwardLayers().stream().anyMatch(l -> (l.name() + ".weight").equals(e.getKey()));
            if (!known) {
                throw new IllegalArgumentException("mask entry '" + e.getKey() + "' is not an ff.net.2 weight of this UNet");
            }
        }
        return zeroed;
    }
}
