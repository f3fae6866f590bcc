package dev.conceptprune.prune;

import dev.conceptprune.weights.TensorStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns recorded statistics into a {@link PruneMask} over every observed layer's {@code ff.net.2} weight. */
public final class MaskBuilder {
    private MaskBuilder() {
    }

    /**
     * @param params the {@code ff.net.2} weight name of each observed layer, in layer order
     * @param metadata how the mask was found (method, concept, settings); the fingerprint is added here
     */
    public static PruneMask build(TensorStore unet, List<String> params, ColumnNorms base, ColumnNorms target,
                                  double skillRatio, int tau, double selectRatio, Map<String, String> metadata) {
        if (params.size() != base.layers()) {
            throw new IllegalArgumentException(params.size() + " layers named, " + base.layers() + " observed");
        }
        Map<String, int[]> idx = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (int l = 0; l < params.size(); l++) {
            String p = params.get(l);
            long[] shape = unet.info(p).shape();
            SkilledNeuronSelector sel = new SkilledNeuronSelector(unet.readFloats(p), (int) shape[0], (int) shape[1]);
            idx.put(p, sel.unionMask(base, target, l, skillRatio, tau, selectRatio));
            shapes.put(p, shape);
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(PruneMask.FINGERPRINT, BaseFingerprint.of(unet));
        return new PruneMask(idx, shapes, meta);
    }
}
