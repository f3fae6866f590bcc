package dev.conceptprune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.io.WeightFormatException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Loads a component's parameters into float32 tensors owned by one
 * manager (made by the runtime, so on its device), checking each shape against what the config
 * implies. Remembers which names were used, so that weights the config does not explain can be
 * reported. {@link #random} makes seeded random weights of whatever shapes the modules ask for
 * instead, for speed measurements without weight files. Modules read the runtime's
 * {@link #mutation()} when they are built.
 */
public final class Params {
    /** Standard deviation of random weights: small enough that activations stay finite through deep stacks. */
    public static final double RANDOM_STD = 0.02;
    private static final int LISTED_UNUSED = 20;

    private final TensorSource store;
    private final Runtime runtime;
    private final long seed;
    private final NDManager manager;
    private final String prefix;
    private final Set<String> used;
    /** Elements loaded through this view and every view derived from it (one shared cell). */
    private final long[] loaded;

    /** The tensors of {@code store} for {@link Runtime#cpu()}. */
    public Params(TensorSource store, NDManager manager) {
        this(store, Runtime.cpu(), manager);
    }

    /** The tensors of {@code store} for {@code runtime}, into {@code manager} (one the runtime made). */
    public Params(TensorSource store, Runtime runtime, NDManager manager) {
        this(store, runtime, 0, manager, "", new HashSet<>(), new long[1]);
    }

    private Params(TensorSource store, Runtime runtime, long seed, NDManager manager, String prefix,
                   Set<String> used, long[] loaded) {
        this.store = store;
        this.runtime = runtime;
        this.seed = seed;
        this.manager = manager;
        this.prefix = prefix;
        this.used = used;
        this.loaded = loaded;
    }

    /**
     * Random weights: every requested parameter exists and is N(0, {@value #RANDOM_STD}^2) of the
     * requested shape, a function of the seed and the parameter's full name only.
     */
    public static Params random(NDManager manager, long seed) {
        return random(Runtime.cpu(), manager, seed);
    }

    /** As {@link #random(NDManager, long)}, for {@code runtime}. */
    public static Params random(Runtime runtime, NDManager manager, long seed) {
        return new Params(null, runtime, seed, manager, "", new HashSet<>(), new long[1]);
    }

    /** A view whose names are relative to {@code prefix + "."}. */
    public Params sub(String name) {
        return new Params(store, runtime, seed, manager, prefix + name + ".", used, loaded);
    }

    public NDManager manager() {
        return manager;
    }

    public Runtime runtime() {
        return runtime;
    }

    /** In place, or out of place when the runtime has gradients on. */
    public Mutation mutation() {
        return Mutation.forGradients(runtime.gradients());
    }

    /** Full parameter name of a relative one. */
    public String fullName(String name) {
        return prefix + name;
    }

    /** True when the store has this parameter; always true for random weights. */
    public boolean has(String name) {
        return store == null || store.has(prefix + name);
    }

    /** Loads a parameter and checks its shape; the shape error names the tensor and both shapes. */
    public NDArray get(String name, long... expectedShape) {
        String full = prefix + name;
        if (store == null) {
            used.add(full);
            Shape shape = new Shape(expectedShape);
            float[] data = RandomTensor.normal(seed, full, Math.toIntExact(shape.size()), RANDOM_STD);
            loaded[0] += data.length;
            return manager.create(FloatBuffer.wrap(data), shape);
        }
        if (!store.has(full)) {
            throw new WeightFormatException(store.location(), "missing tensor '" + full + "' that the config requires");
        }
        TensorInfo info = store.info(full);
        if (!Arrays.equals(info.shape(), expectedShape)) {
            throw new WeightFormatException(store.locationOf(full), "tensor '" + full + "' has shape "
                    + Arrays.toString(info.shape()) + " but the config implies " + Arrays.toString(expectedShape));
        }
        used.add(full);
        float[] data = store.readFloats(full);
        loaded[0] += data.length;
        return manager.create(FloatBuffer.wrap(data), new Shape(expectedShape));
    }

    /** Number of weights loaded (or drawn) so far through this view and the views it shares a root with. */
    public long loadedElements() {
        return loaded[0];
    }

    /** Loads an optional parameter (e.g. a bias), or returns null when absent. */
    public NDArray getOptional(String name, long... expectedShape) {
        return has(name) ? get(name, expectedShape) : null;
    }

    /**
     * Fails with a {@link WeightFormatException} when the store holds tensors that no module loaded,
     * other than those {@code ignored} accepts: then the config and the weights do not match.
     *
     * @param what whose config, for the message: "UNet", "VAE", "CLIP"
     */
    public void requireAllUsed(String what, Predicate<String> ignored) {
        List<String> unused = unused().stream().filter(ignored.negate()).toList();
        if (!unused.isEmpty()) {
            String more = unused.size() > LISTED_UNUSED ? ", ... (" + unused.size() + " in all)" : "";
            throw new WeightFormatException(store.location(), unused.size() + " tensors are not explained by the "
                    + "config (" + what + " config and weights do not match), e.g. "
                    + String.join(", ", unused.subList(0, Math.min(LISTED_UNUSED, unused.size()))) + more);
        }
    }

    /** Names present in the store that no module loaded (sorted); none for random weights. */
    public Set<String> unused() {
        if (store == null) {
            return new TreeSet<>();
        }
        Set<String> out = new TreeSet<>(store.names());
        out.removeAll(used);
        return out;
    }
}
