package dev.conceptprune.model.ldm;

import java.util.Arrays;

/**
 * Where one diffusers parameter lies in a single file: the stored tensor, the shape diffusers
 * expects, and the element range it occupies. A dim-0 slice of a row-major tensor (q, k or v of
 * a fused projection) is one contiguous range, so a view can present it without copying, and a
 * writer can put an edited parameter back in place. The one exception is a matrix stored
 * transposed (OpenCLIP's text projection in SDXL files): its elements are a permutation of the
 * stored ones, which {@link #storedElement} follows.
 *
 * @param diffusersName the parameter's name inside its diffusers component
 * @param storedName the full tensor name in the file
 * @param shape the shape diffusers expects (a reshape of the range, or the transpose of a stored matrix)
 * @param storedShape the stored tensor's shape
 * @param elementOffset first element of the range within the stored tensor
 * @param elementCount elements in the range, the product of {@code shape}
 * @param transposed the parameter is the stored 2-D tensor transposed
 */
public record TensorMapping(String diffusersName, String storedName, long[] shape, long[] storedShape,
                            long elementOffset, long elementCount, boolean transposed) {

    /** Copies the shapes so that the record stays immutable. */
    public TensorMapping {
        shape = shape.clone();
        storedShape = storedShape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] storedShape() {
        return storedShape.clone();
    }

    /** True when the parameter is part of a larger stored tensor. */
    public boolean isSlice() {
        return elementCount != elementCount(storedShape);
    }

    /** True when the parameter has another shape than the stored tensor (a 1x1 conv read as linear). */
    public boolean isReshaped() {
        return !isSlice() && !transposed && !Arrays.equals(shape, storedShape);
    }

    /** The stored tensor's flat element index of the parameter's flat element {@code index}. */
    public long storedElement(long index) {
        if (!transposed) {
            return elementOffset + index;
        }
        long rows = shape[0];
        long cols = shape[1];
        return (index % cols) * rows + index / cols;
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorMapping m && diffusersName.equals(m.diffusersName) && storedName.equals(m.storedName)
                && Arrays.equals(shape, m.shape) && Arrays.equals(storedShape, m.storedShape)
                && elementOffset == m.elementOffset && elementCount == m.elementCount && transposed == m.transposed;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * diffusersName.hashCode() + storedName.hashCode()) + Long.hashCode(elementOffset);
    }

    @Override
    public String toString() {
        return diffusersName + " <- " + storedName + Arrays.toString(storedShape)
                + (isSlice() ? " [" + elementOffset + ", +" + elementCount + ")" : "") + (transposed ? " transposed" : "")
                + " as " + Arrays.toString(shape);
    }
}
