package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code blend_v} / {@code blend_h}: the first {@code extent} rows (columns) of a tile
 * become {@code a * (1 - y / extent) + b * (y / extent)} with the last rows (columns) of the tile
 * before it. The weights are float32 roundings of the double ratios, as torch multiplies a float32
 * tensor by a Python float, so the blend matches diffusers' element by element.
 */
final class Blend {
    private Blend() {
    }

    /** {@code b} with its top rows blended into the bottom rows of {@code a} (the tile above). */
    static NDArray vertical(NDArray a, NDArray b, int extent) {
        return blend(a, b, extent, 2);
    }

    /** {@code b} with its left columns blended into the right columns of {@code a} (the tile to the left). */
    static NDArray horizontal(NDArray a, NDArray b, int extent) {
        return blend(a, b, extent, 3);
    }

    private static NDArray blend(NDArray a, NDArray b, int extent, int axis) {
        long sizeA = a.getShape().get(axis);
        long sizeB = b.getShape().get(axis);
        int e = (int) Math.min(Math.min(sizeA, sizeB), extent);
        if (e == 0) {
            return b;
        }
        float[] keep = new float[e];
        float[] take = new float[e];
        for (int y = 0; y < e; y++) {
            double ratio = (double) y / e;
            take[y] = (float) ratio;
            keep[y] = (float) (1 - ratio);
        }
        long[] weightShape = {1, 1, 1, 1};
        weightShape[axis] = e;
        Shape ws = new Shape(weightShape);
        NDArray head = b.get(index(axis, 0, e));
        NDArray blended = a.get(index(axis, sizeA - e, sizeA)).mul(b.getManager().create(keep, ws))
                .add(head.mul(b.getManager().create(take, ws)));
        NDArray out = e == sizeB ? blended : NDArrays.concat(new NDList(blended, b.get(index(axis, e, sizeB))), axis);
        b.close();
        return out;
    }

    private static NDIndex index(int axis, long from, long to) {
        return axis == 2 ? new NDIndex(":, :, {}:{}", from, to) : new NDIndex(":, :, :, {}:{}", from, to);
    }
}
