package dev.conceptprune.model;

import dev.conceptprune.io.WeightFormatException;
import dev.conceptprune.io.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Set;

/**
 * A component's tensors by name, wherever they are stored: safetensors files ({@link TensorStore})
 * or a renaming, reshaping view of another source ({@link TensorView}). Errors name {@link #location()}.
 */
public interface TensorSource extends AutoCloseable {
    /** All tensor names, in storage order. */
    Set<String> names();

    boolean has(String name);

    /** Dtype and shape of a tensor; a {@link WeightFormatException} when it is missing. */
    TensorInfo info(String name);

    /** The tensor's values converted to float32, in row-major order. */
    float[] readFloats(String name);

    /** The tensor's stored bytes (little-endian, its own dtype), for fingerprints and writers. */
    ByteBuffer bytes(String name);

    /** Total number of elements over all tensors. */
    default long parameterCount() {
        long n = 0;
        for (String name : names()) {
            n += info(name).elementCount();
        }
        return n;
    }

    /** Where the tensors come from, for error messages. */
    Path location();

    /** Where one tensor comes from (a shard of a sharded checkpoint, say), for error messages. */
    default Path locationOf(String name) {
        return location();
    }

    @Override
    void close();
}
