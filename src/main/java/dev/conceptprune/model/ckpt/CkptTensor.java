package dev.conceptprune.model.ckpt;

import dev.conceptprune.io.DType;
import dev.conceptprune.io.TensorInfo;

/**
 * One checked tensor of a checkpoint: contiguous row-major, lying inside its storage, whose
 * bytes are {@code [byteOffset, byteOffset + byteLength)} of the archive entry {@code entry}.
 */
public record CkptTensor(String name, DType dtype, long[] shape, String entry, long byteOffset, long byteLength) {

    /** Number of elements (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * The same entry as safetensors readers describe one; {@code begin}/{@code end} are byte
     * offsets inside the storage entry, not inside one data area.
     */
    public TensorInfo info() {
        return new TensorInfo(name, dtype, shape, byteOffset, byteOffset + byteLength);
    }
}
