package dev.conceptprune.model;

import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.io.WeightFormatException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A view of another {@link TensorSource} under new names and shapes: each view name stands for one
 * stored tensor, optionally seen with another shape of the same element count (e.g. a single
 * file's VAE attention weight stored as [C, C, 1, 1] seen as [C, C]), as a contiguous part of it,
 * or transposed. Only the names added are visible. Closing the view closes the source it views.
 *
 * <p>Renames, reshapes and slices never copy data. A transposed matrix is copied when read: its
 * elements are a permutation of the stored ones, which no byte range can present, and the one
 * tensor stored so (OpenCLIP's text projection, at most 1280 x 1280 in SDXL) is small, whereas a
 * strided view would burden every reader of every other tensor with strides.
 */
public final class TensorView implements TensorSource {
    /**
     * One view name: its stored tensor, its shape, where its elements start in the stored tensor,
     * and whether it is the stored matrix transposed.
     */
    private record Entry(String stored, long[] shape, long offset, boolean transposed) {
        long count() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        boolean whole(TensorInfo stored) {
            return offset == 0 && count() == stored.elementCount() && !transposed;
        }
    }

    private final TensorSource base;
    private final Map<String, Entry> entries;

    private TensorView(TensorSource base, Map<String, Entry> entries) {
        this.base = base;
        this.entries = entries;
    }

    /** Starts a view of {@code base}. */
    public static Builder of(TensorSource base) {
        return new Builder(base);
    }

    /** Collects the view's names; each is checked against the base as it is added. */
    public static final class Builder {
        private final TensorSource base;
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        private Builder(TensorSource base) {
            this.base = base;
        }

        /** Shows the stored tensor {@code stored} as {@code name}, with its stored shape. */
        public Builder rename(String name, String stored) {
            return add(name, stored, base.info(stored).shape());
        }

        /** Shows {@code stored} as {@code name} with {@code shape}, which must hold the same number of elements. */
        public Builder reshape(String name, String stored, long... shape) {
            TensorInfo info = base.info(stored);
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (count != info.elementCount()) {
                throw new WeightFormatException(base.locationOf(stored), "tensor '" + stored + "' of shape "
                        + Arrays.toString(info.shape()) + " cannot be seen as " + Arrays.toString(shape)
                        + " ('" + name + "'): the element counts differ");
            }
            return add(name, stored, shape.clone(), 0);
        }

        /**
         * Shows the contiguous elements {@code [offset, offset + product(shape))} of {@code stored} as
         * {@code name} (a dim-0 slice of a row-major tensor, e.g. q, k or v of a fused projection).
         */
        public Builder slice(String name, String stored, long offset, long... shape) {
            TensorInfo info = base.info(stored);
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (offset < 0 || offset + count > info.elementCount()) {
                throw new WeightFormatException(base.locationOf(stored), "tensor '" + stored + "' of shape "
                        + Arrays.toString(info.shape()) + " has no elements " + offset + ".." + (offset + count)
                        + " for '" + name + "'");
            }
            return add(name, stored, shape.clone(), offset);
        }

        /** Shows the 2-D tensor {@code stored} transposed as {@code name}: stored [R, C] is seen as [C, R]. */
        public Builder transpose(String name, String stored) {
            long[] s = base.info(stored).shape();
            if (s.length != 2) {
                throw new WeightFormatException(base.locationOf(stored), "tensor '" + stored + "' of shape "
                        + Arrays.toString(s) + " is not a matrix, so it cannot be seen transposed as '" + name + "'");
            }
            return add(name, stored, new long[] {s[1], s[0]}, 0, true);
        }

        private Builder add(String name, String stored, long[] shape) {
            return add(name, stored, shape, 0);
        }

        private Builder add(String name, String stored, long[] shape, long offset) {
            return add(name, stored, shape, offset, false);
        }

        private Builder add(String name, String stored, long[] shape, long offset, boolean transposed) {
            if (!base.has(stored)) {
                throw new WeightFormatException(base.location(), "missing tensor '" + stored + "'");
            }
            if (entries.putIfAbsent(name, new Entry(stored, shape, offset, transposed)) != null) {
                throw new IllegalArgumentException("view name '" + name + "' added twice");
            }
            return this;
        }

        public TensorView build() {
            return new TensorView(base, new LinkedHashMap<>(entries));
        }
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new WeightFormatException(base.location(), "missing tensor '" + name + "'");
        }
        return e;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    @Override
    public boolean has(String name) {
        return entries.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        Entry e = entry(name);
        TensorInfo stored = base.info(e.stored());
        long size = stored.dtype().size();
        long begin = stored.begin() + e.offset() * size;
        return new TensorInfo(name, stored.dtype(), e.shape().clone(), begin, begin + e.count() * size);
    }

    @Override
    public float[] readFloats(String name) {
        Entry e = entry(name);
        float[] all = base.readFloats(e.stored());
        if (e.transposed()) {
            int rows = Math.toIntExact(e.shape()[0]);
            int cols = Math.toIntExact(e.shape()[1]);
            float[] t = new float[all.length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    t[r * cols + c] = all[c * rows + r];
                }
            }
            return t;
        }
        return e.whole(base.info(e.stored())) ? all
                : Arrays.copyOfRange(all, Math.toIntExact(e.offset()), Math.toIntExact(e.offset() + e.count()));
    }

    @Override
    public ByteBuffer bytes(String name) {
        Entry e = entry(name);
        ByteBuffer all = base.bytes(e.stored());
        if (e.whole(base.info(e.stored()))) {
            return all;
        }
        int size = base.info(e.stored()).dtype().size();
        if (e.transposed()) {
            return transposed(all, e.shape()[1], e.shape()[0], size);
        }
        int from = all.position() + Math.toIntExact(e.offset() * size);
        return all.duplicate().position(from).limit(from + Math.toIntExact(e.count() * size)).slice()
                .order(all.order());
    }

    /**
     * The elements of a row-major {@code rows x cols} matrix of {@code elementSize}-byte elements,
     * transposed into a new buffer ({@code cols x rows}) of the same byte order.
     */
    public static ByteBuffer transposed(ByteBuffer matrix, long rows, long cols, int elementSize) {
        int r = Math.toIntExact(rows);
        int c = Math.toIntExact(cols);
        if ((long) r * c * elementSize != matrix.remaining()) {
            throw new IllegalArgumentException(matrix.remaining() + " bytes are not a " + rows + " x " + cols
                    + " matrix of " + elementSize + "-byte elements");
        }
        ByteBuffer out = ByteBuffer.allocate(matrix.remaining()).order(matrix.order());
        int base = matrix.position();
        for (int j = 0; j < c; j++) {
            for (int i = 0; i < r; i++) {
                int from = base + (i * c + j) * elementSize;
                for (int b = 0; b < elementSize; b++) {
                    out.put(matrix.get(from + b));
                }
            }
        }
        return out.flip();
    }

    @Override
    public Path location() {
        return base.location();
    }

    @Override
    public Path locationOf(String name) {
        return base.locationOf(entry(name).stored());
    }

    @Override
    public void close() {
        base.close();
    }
}
