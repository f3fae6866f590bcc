package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Mutation;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/**
 * diffusers' GEGLU {@code FeedForward}: {@code net.0.proj} to twice the inner width, first half
 * times exact GELU of the second half, then {@code net.2} back to the block width. The GEGLU
 * output (the input of {@code net.2}) is what ConceptPrune observes.
 */
final class FeedForward {
    /** Largest projection chunk: under glibc's 32 MiB ceiling for reusing freed memory. */
    private static final long CHUNK_BYTES = 16L << 20;
    private static final long CHUNK_ALIGN = 64;

    private final FeedForwardLayer layer;
    private final Linear proj;
    private final Linear out;
    private final Mutation mutation;

    FeedForward(Params p, int layerIndex, int dim, int inner) {
        mutation = p.mutation();
        layer = new FeedForwardLayer(layerIndex, p.fullName("net.2"), dim, inner);
        proj = Linear.load(p, "net.0.proj", dim, 2L * inner, true);
        out = Linear.load(p, "net.2", inner, dim, true);
    }

    /** @param observer receives the GEGLU output before it is projected back; may be null */
    NDArray forward(NDArray x, FeedForwardObserver observer) {
        try (Scope s = Scope.of(x)) {
            if (observer != null) {
                observer.onFeedForwardInput(layer.index(), x);
                NDArray geglu = geglu(x);
                observer.onGeglu(layer.index(), geglu);
                return s.keep(out.forward(geglu));
            }
            return s.keep(chunked(x));
        }
    }

    /**
     * The unobserved feed-forward in row chunks whose projection stays under {@link #CHUNK_BYTES}.
     * At 64x64 latents the whole projection is 84 MB: glibc maps allocations that large afresh
     * every time, and faulting them in cost more than the GELU itself. Rows are independent, so
     * chunking changes nothing but the order in which they are computed.
     */
    private NDArray chunked(NDArray x) {
        Shape shape = x.getShape();
        long rows = shape.size() / layer.dim();
        long rowBytes = 2L * layer.inner() * Float.BYTES;
        long chunk = Math.max(CHUNK_ALIGN, CHUNK_BYTES / rowBytes / CHUNK_ALIGN * CHUNK_ALIGN);
        if (rows <= chunk) {
            return out.forward(geglu(x));
        }
        NDList parts = new NDList();
        try (NDArray flat = x.reshape(rows, layer.dim())) {
            for (long r = 0; r < rows; r += chunk) {
                try (NDArray part = flat.get(new NDIndex().addSliceDim(r, Math.min(rows, r + chunk)));
                     NDArray g = geglu(part)) {
                    parts.add(out.forward(g));
                }
            }
            try (NDArray joined = NDArrays.concat(parts)) {
                return joined.reshape(shape);
            }
        } finally {
            parts.close();
        }
    }

    /** GELU of the projection's second half times its first half, multiplied into the GELU buffer when in place. */
    private NDArray geglu(NDArray x) {
        try (NDArray projected = proj.forward(x); NDList halves = projected.split(2, projected.getShape().dimension() - 1)) {
            return mutation.mul(Ops.gelu(halves.get(1)), halves.get(0));
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
