package dev.conceptprune.prune;

import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import java.util.EnumMap;
import java.util.Map;

/**
 * The base weights of a site's layers, whichever components they live in (a site may span SDXL's two
 * text encoders): each component's tensors are opened once, when first asked for, and closed with this.
 */
public final class SiteWeights implements AutoCloseable {
    private final ModelSource model;
    private final Map<Component, TensorSource> open = new EnumMap<>(Component.class);

    /** The weights of {@code model}; nothing is opened yet. */
    public SiteWeights(ModelSource model) {
        this.model = model;
    }

    /** The tensors of one component. */
    public TensorSource of(Component component) {
        return open.computeIfAbsent(component, model::tensors);
    }

    /** The layer's weight as float32, row-major. */
    public float[] read(SiteLayer layer) {
        return of(layer.component()).readFloats(layer.parameter());
    }

    /** The layer's weight shape. */
    public long[] shape(SiteLayer layer) {
        return of(layer.component()).info(layer.parameter()).shape();
    }

    @Override
    public void close() {
        open.values().forEach(TensorSource::close);
        open.clear();
    }
}
