package dev.conceptprune.prune;

import dev.conceptprune.io.DType;
import dev.conceptprune.io.Float32;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * New values for chosen entries of a model's parameters, keyed by {@link MaskKey} name: what the
 * writers of {@link EditedModel} put into the copy they write. A pruning mask becomes one through its
 * fill ({@link #of}); other edits (recovered weights, say) are built directly.
 */
public final class WeightEdits {
    /**
     * The new values of one parameter.
     *
     * @param shape the parameter's shape, checked against the model when written
     * @param indices sorted, unique flat indices of the entries to set
     * @param values the value of each of those entries, in the same order
     */
    public record Edit(long[] shape, int[] indices, float[] values) {
        public Edit {
            shape = shape.clone();
            indices = indices.clone();
            values = values.clone();
            if (indices.length != values.length) {
                throw new IllegalArgumentException(indices.length + " indices but " + values.length + " values");
            }
            long size = 1;
            for (long d : shape) {
                size *= d;
            }
            for (int i = 0; i < indices.length; i++) {
                if (indices[i] < 0 || indices[i] >= size || (i > 0 && indices[i] <= indices[i - 1])) {
                    throw new IllegalArgumentException("indices are not sorted, unique and inside shape "
                            + Arrays.toString(shape));
                }
            }
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public int[] indices() {
            return indices.clone();
        }

        @Override
        public float[] values() {
            return values.clone();
        }
    }

    private final Map<String, Edit> edits;

    /** The edits by mask key. */
    public WeightEdits(Map<String, Edit> edits) {
        this.edits = Collections.unmodifiableMap(new TreeMap<>(edits));
    }

    /** The edits by mask key, sorted. */
    public Map<String, Edit> edits() {
        return edits;
    }

    /** Number of entries set. */
    public long count() {
        long n = 0;
        for (Edit e : edits.values()) {
            n += e.indices.length;
        }
        return n;
    }

    /**
     * The pruned entries of {@code mask} set to the values of the fill it records ({@link PruneMask#fill}):
     * zeros, Gaussian draws from the statistics of each parameter's kept base weights, which are read
     * from {@code base} (only for a fill that needs them), or the matched values the mask carries.
     */
    public static WeightEdits of(ModelSource base, PruneMask mask) {
        PruneFill fill = mask.fill();
        Map<String, Edit> out = new TreeMap<>();
        try (SiteWeights weights = new SiteWeights(base)) {
            for (Map.Entry<String, int[]> e : mask.indices().entrySet()) {
                String key = e.getKey();
                long[] shape = mask.shapes().get(key);
                float[] values = switch (fill.kind()) {
                    case ZERO -> new float[e.getValue().length];
                    case MATCHED -> mask.values().get(key);
                    case GAUSSIAN -> fill.values(key, baseWeights(weights, key, shape), e.getValue());
                };
                out.put(key, new Edit(shape, e.getValue(), values));
            }
        }
        return new WeightEdits(out);
    }

    /** The base weights a mask key names, checked as the writers check them. */
    private static float[] baseWeights(SiteWeights weights, String key, long[] shape) {
        TensorSource t = weights.of(MaskKey.component(key));
        String parameter = MaskKey.parameter(key);
        if (!t.has(parameter)) {
            throw new InputException("mask entry '" + key + "' names no tensor of " + t.location());
        }
        long[] actual = t.info(parameter).shape();
        if (!Arrays.equals(actual, shape)) {
            throw new InputException("mask entry '" + key + "' has shape " + Arrays.toString(shape)
                    + " but the model's tensor has " + Arrays.toString(actual));
        }
        return t.readFloats(parameter);
    }

    /**
     * A copy of a tensor's stored bytes with the elements at {@code indices} replaced by {@code values}
     * encoded in the tensor's {@code dtype}; a zero becomes all-zero bytes in every float dtype.
     */
    static ByteBuffer applied(ByteBuffer data, DType dtype, int[] indices, float[] values) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(data.duplicate()).flip();
        ByteBuffer encoded = encoded(values, dtype);
        int size = dtype.size();
        for (int j = 0; j < indices.length; j++) {
            for (int b = 0; b < size; b++) {
                copy.put(indices[j] * size + b, encoded.get(j * size + b));
            }
        }
        return copy;
    }

    /** {@code values} encoded in {@code dtype}, little-endian, ready to read. */
    static ByteBuffer encoded(float[] values, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.size()).order(ByteOrder.LITTLE_ENDIAN);
        Float32.encode(values, dtype, b);
        return b.flip();
    }
}
