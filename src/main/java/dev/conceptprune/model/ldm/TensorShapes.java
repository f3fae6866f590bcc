package dev.conceptprune.model.ldm;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stored tensors' names and shapes, all that layout inference and name conversion need, so
 * they work the same for a safetensors header and a legacy checkpoint.
 */
public final class TensorShapes {
    private final Map<String, long[]> shapes;

    /** Takes the shapes in the file's order; the map is copied. */
    public TensorShapes(Map<String, long[]> shapes) {
        this.shapes = new LinkedHashMap<>();
        shapes.forEach((k, v) -> this.shapes.put(k, v.clone()));
    }

    /** Every stored name, in the file's order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(shapes.keySet());
    }

    public boolean has(String name) {
        return shapes.containsKey(name);
    }

    /** The stored shape; a missing tensor is a checkpoint the converter cannot use. */
    public long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new UnsupportedCheckpointException("the file has no tensor '" + name + "', which its layout needs");
        }
        return s.clone();
    }

    /** One dimension of a stored tensor, checked to fit an int as model sizes do. */
    int dim(String name, int axis) {
        long[] s = shape(name);
        if (axis >= s.length) {
            throw new UnsupportedCheckpointException("tensor '" + name + "' has shape " + Arrays.toString(s)
                    + ", expected at least " + (axis + 1) + " dimensions");
        }
        return Math.toIntExact(s[axis]);
    }

    int rank(String name) {
        return shape(name).length;
    }

    boolean anyStartsWith(String prefix) {
        return shapes.keySet().stream().anyMatch(n -> n.startsWith(prefix));
    }

    /**
     * How many numbered children {@code prefix + N + "."} there are; they must be numbered 0..n-1
     * without gaps, as module lists are.
     */
    int countIndices(String prefix) {
        Set<Integer> seen = new TreeSet<>();
        for (String n : shapes.keySet()) {
            if (!n.startsWith(prefix)) {
                continue;
            }
            String rest = n.substring(prefix.length());
            int dot = rest.indexOf('.');
            String head = dot < 0 ? rest : rest.substring(0, dot);
            if (!head.isEmpty() && head.chars().allMatch(Character::isDigit) && head.length() < 9) {
                seen.add(Integer.parseInt(head));
            }
        }
        int i = 0;
        for (int idx : seen) {
            if (idx != i++) {
                throw new UnsupportedCheckpointException("the file's '" + prefix + "N' modules are numbered "
                        + seen + ", with a gap");
            }
        }
        return seen.size();
    }
}
