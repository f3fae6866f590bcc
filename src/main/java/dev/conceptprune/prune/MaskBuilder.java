package dev.conceptprune.prune;

import dev.conceptprune.model.TensorSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns recorded statistics into a {@link PruneMask} over every observed layer's weight. */
public final class MaskBuilder {
    private MaskBuilder() {
    }

    /**
     * @param weights the component holding the pruned weights
     * @param params the pruned weight name of each observed layer, in layer order
     * @param site decides how parameters are named in the mask
     * @param metadata how the mask was found (method, concept, settings)
     * @param fingerprint the base model's fingerprint ({@link BaseFingerprint#of(TensorSource)} of its UNet)
     */
    public static PruneMask build(TensorSource weights, List<String> params, PruneSite site, ColumnNorms base,
                                  ColumnNorms target, double skillRatio, int tau, double selectRatio,
                                  Map<String, String> metadata, String fingerprint) {
        if (params.size() != base.layers()) {
            throw new IllegalArgumentException(params.size() + " layers named, " + base.layers() + " observed");
        }
        int calls = Math.min(tau, base.calls());
        Map<String, int[]> idx = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (int l = 0; l < params.size(); l++) {
            String p = params.get(l);
            long[] shape = weights.info(p).shape();
            SkilledNeuronSelector sel = new SkilledNeuronSelector(weights.readFloats(p), (int) shape[0], (int) shape[1]);
            idx.put(site.maskKey(p), sel.unionMask(base, target, l, skillRatio, calls, selectRatio));
            shapes.put(site.maskKey(p), shape);
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(PruneMask.FINGERPRINT, fingerprint);
        return new PruneMask(idx, shapes, meta);
    }

    /** A mask whose skill ratio, tau and select ratio are those its metadata records. */
    public static PruneMask build(TensorSource weights, List<String> params, PruneSite site, ColumnNorms base,
                                  ColumnNorms target, MaskMetadata metadata, String fingerprint) {
        return build(weights, params, site, base, target, metadata.skillRatio(), metadata.tau(),
                metadata.selectRatio(), metadata.toMap(), fingerprint);
    }

    /** The paper's site on a UNet store, fingerprinted from that store. */
    public static PruneMask build(TensorSource unet, List<String> params, ColumnNorms base, ColumnNorms target,
                                  double skillRatio, int tau, double selectRatio, Map<String, String> metadata) {
        return build(unet, params, PruneSite.FFN2, base, target, skillRatio, tau, selectRatio, metadata,
                BaseFingerprint.of(unet));
    }
}
