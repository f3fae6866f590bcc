package dev.conceptprune.prune;

import dev.conceptprune.model.Component;
import dev.conceptprune.model.TensorSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Turns recorded statistics into a {@link PruneMask} over every observed layer's weight. */
public final class MaskBuilder {
    private MaskBuilder() {
    }

    /**
     * @param weights the base tensors of each component the layers name
     * @param layers the observed layers, in layer order, with the weights they prune
     * @param metadata how the mask was found (method, concept, settings)
     * @param fingerprint the base model's fingerprint ({@link BaseFingerprint#of(TensorSource)} of its UNet)
     */
    public static PruneMask build(Function<Component, TensorSource> weights, List<SiteLayer> layers, ColumnNorms base,
                                  ColumnNorms target, double skillRatio, int tau, double selectRatio,
                                  Map<String, String> metadata, String fingerprint) {
        if (layers.size() != base.layers()) {
            throw new IllegalArgumentException(layers.size() + " layers named, " + base.layers() + " observed");
        }
        int calls = Math.min(tau, base.calls());
        Map<String, int[]> idx = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (int l = 0; l < layers.size(); l++) {
            SiteLayer layer = layers.get(l);
            TensorSource source = weights.apply(layer.component());
            long[] shape = source.info(layer.parameter()).shape();
            SkilledNeuronSelector sel = new SkilledNeuronSelector(source.readFloats(layer.parameter()), (int) shape[0],
                    (int) shape[1]);
            idx.put(layer.maskKey(), sel.unionMask(base, target, l, skillRatio, calls, selectRatio));
            shapes.put(layer.maskKey(), shape);
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(PruneMask.FINGERPRINT, fingerprint);
        return new PruneMask(idx, shapes, meta);
    }

    /** A mask whose skill ratio, tau and select ratio are those its metadata records. */
    public static PruneMask build(SiteWeights weights, List<SiteLayer> layers, ColumnNorms base, ColumnNorms target,
                                  MaskMetadata metadata, String fingerprint) {
        return build(weights::of, layers, base, target, metadata.skillRatio(), metadata.tau(),
                metadata.selectRatio(), metadata.toMap(), fingerprint);
    }

    /** The paper's site ({@code ff.net.2} weights named by {@code params}) on a UNet store, fingerprinted from that store. */
    public static PruneMask build(TensorSource unet, List<String> params, ColumnNorms base, ColumnNorms target,
                                  double skillRatio, int tau, double selectRatio, Map<String, String> metadata) {
        List<SiteLayer> layers = params.stream().map(p -> new SiteLayer(Component.UNET, p, 0)).toList();
        return build(c -> unet, layers, base, target, skillRatio, tau, selectRatio, metadata,
                BaseFingerprint.of(unet));
    }
}
