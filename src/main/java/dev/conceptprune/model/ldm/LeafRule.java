package dev.conceptprune.model.ldm;

import java.util.Arrays;

/**
 * One rename inside a module: a stored sub-path and the diffusers sub-path it becomes, with the
 * change of shape between them. A rule matches its exact path or any path below it
 * ({@code in_layers.0} matches {@code in_layers.0.weight}).
 *
 * @param part for {@link Form#DIM0_THIRD}, which third of the fused tensor (0 = q, 1 = k, 2 = v)
 */
record LeafRule(String stored, String diffusers, Form form, int part) {

    /** How the diffusers parameter is laid out in the stored tensor. */
    enum Form {
        /** The same tensor under another name. */
        AS_IS,
        /** A 1x1 convolution weight {@code [O, I, 1, 1]} read as a linear weight {@code [O, I]}. */
        CONV_AS_LINEAR,
        /** One of three equal dim-0 slices of a fused q;k;v tensor. */
        DIM0_THIRD,
        /** A matrix stored transposed: OpenCLIP's {@code text_projection} [hidden, proj] is diffusers' [proj, hidden]. */
        TRANSPOSED
    }

    static LeafRule rename(String stored, String diffusers) {
        return new LeafRule(stored, diffusers, Form.AS_IS, 0);
    }

    static LeafRule same(String path) {
        return rename(path, path);
    }

    static LeafRule convAsLinear(String stored, String diffusers) {
        return new LeafRule(stored, diffusers, Form.CONV_AS_LINEAR, 0);
    }

    static LeafRule transposed(String stored, String diffusers) {
        return new LeafRule(stored, diffusers, Form.TRANSPOSED, 0);
    }

    static LeafRule third(String stored, String diffusers, int part) {
        return new LeafRule(stored, diffusers, Form.DIM0_THIRD, part);
    }

    /** The rest of {@code leaf} below {@code path} ("" or ".weight"), or null when it is not below it. */
    static String below(String path, String leaf) {
        if (leaf.equals(path)) {
            return "";
        }
        return leaf.startsWith(path + ".") ? leaf.substring(path.length()) : null;
    }

    /** The diffusers shape of this parameter, given the stored tensor's shape. */
    long[] diffusersShape(long[] storedShape) {
        return switch (form) {
            case AS_IS -> storedShape.clone();
            case CONV_AS_LINEAR -> isPointwiseConv(storedShape) ? Arrays.copyOf(storedShape, 2) : storedShape.clone();
            case DIM0_THIRD -> {
                long[] s = storedShape.clone();
                s[0] = thirdRows(storedShape);
                yield s;
            }
            case TRANSPOSED -> swapped(storedShape);
        };
    }

    /** The stored shape for a diffusers shape, for writing a file from diffusers tensors. */
    long[] storedShape(long[] diffusersShape) {
        return switch (form) {
            case AS_IS -> diffusersShape.clone();
            case CONV_AS_LINEAR -> diffusersShape.length == 2
                    ? new long[] {diffusersShape[0], diffusersShape[1], 1, 1} : diffusersShape.clone();
            case DIM0_THIRD -> {
                long[] s = diffusersShape.clone();
                s[0] *= 3;
                yield s;
            }
            case TRANSPOSED -> swapped(diffusersShape);
        };
    }

    /** True when the diffusers parameter is the stored matrix transposed. */
    boolean transposes() {
        return form == Form.TRANSPOSED;
    }

    /** First element of this parameter within the stored tensor. */
    long elementOffset(long[] storedShape) {
        return form == Form.DIM0_THIRD ? part * TensorMapping.elementCount(storedShape) / 3 : 0;
    }

    private static long[] swapped(long[] s) {
        if (s.length != 2) {
            throw new UnsupportedCheckpointException("a transposed matrix must have 2 dimensions, found shape "
                    + Arrays.toString(s));
        }
        return new long[] {s[1], s[0]};
    }

    private static boolean isPointwiseConv(long[] s) {
        return s.length == 4 && s[2] == 1 && s[3] == 1;
    }

    private static long thirdRows(long[] storedShape) {
        if (storedShape.length == 0 || storedShape[0] % 3 != 0) {
            throw new UnsupportedCheckpointException("a fused q;k;v tensor of shape " + Arrays.toString(storedShape)
                    + " does not split into three equal parts along dim 0");
        }
        return storedShape[0] / 3;
    }
}
