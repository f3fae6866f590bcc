package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/**
 * diffusers' GEGLU {@code FeedForward}: {@code net.0.proj} to twice the inner width, first half
 * times exact GELU of the second half, then {@code net.2} back to the block width. The GEGLU
 * output (the input of {@code net.2}) is what ConceptPrune observes.
 */
final class FeedForward {
    private final FeedForwardLayer layer;
    private final Linear proj;
    private final Linear out;

    FeedForward(Params p, int layerIndex, int dim, int inner) {
        layer = new FeedForwardLayer(layerIndex, p.fullName("net.2"), dim, inner);
        proj = Linear.load(p, "net.0.proj", dim, 2L * inner, true);
        out = Linear.load(p, "net.2", inner, dim, true);
    }

    /** @param observer receives the GEGLU output before it is projected back; may be null */
    NDArray forward(NDArray x, FeedForwardObserver observer) {
        try (Scope s = Scope.of(x)) {
            if (observer != null) {
                observer.onFeedForwardInput(layer.index(), x);
            }
            NDArray projected = proj.forward(x);
            NDList halves = projected.split(2, projected.getShape().dimension() - 1);
            NDArray geglu = Ops.gelu(halves.get(1)).muli(halves.get(0));
            if (observer != null) {
                observer.onGeglu(layer.index(), geglu);
            }
            return s.keep(out.forward(geglu));
        }
    }

    FeedForwardLayer layer() {
        return layer;
    }

    Linear in() {
        return proj;
    }

    Linear out() {
        return out;
    }
}
