package dev.conceptprune.prune;

import dev.conceptprune.io.DType;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.io.WeightFormatException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weights to prune: per parameter name, the sorted flat indices, plus the metadata that
 * says how they were found, the value they get ({@link #fill}) and the fingerprint of the base model
 * they belong to. Stored as a
 * safetensors file with one int32 tensor per parameter.
 */
public final class PruneMask {
    /** Metadata key of the base-model fingerprint. */
    public static final String FINGERPRINT = "base_fingerprint";

    /** Prefix of the tensors that carry a matched fill's values, one per masked parameter. */
    static final String VALUES = "values:";

    private final Map<String, int[]> indices;
    private final Map<String, long[]> shapes;
    private final Map<String, String> metadata;
    private final Map<String, float[]> values;

    public PruneMask(Map<String, int[]> indices, Map<String, long[]> shapes, Map<String, String> metadata) {
        this(indices, shapes, metadata, Map.of());
    }

    /**
     * A mask whose pruned entries get {@code values} (one per index, by key): the matched fill's.
     *
     * @throws IllegalArgumentException when the metadata's fill and the values disagree
     */
    public PruneMask(Map<String, int[]> indices, Map<String, long[]> shapes, Map<String, String> metadata,
                     Map<String, float[]> values) {
        this.indices = new TreeMap<>(indices);
        this.shapes = new TreeMap<>(shapes);
        this.metadata = new LinkedHashMap<>(metadata);
        this.values = new TreeMap<>(values);
        // Only the raw entry: read() checks the recorded fill and names the file when it is malformed.
        boolean matched = PruneFill.MATCHED.toMetadata().get(PruneFill.FILL).equals(metadata.get(PruneFill.FILL));
        if (!matched && !values.isEmpty()) {
            throw new IllegalArgumentException("only a matched fill carries values");
        }
        if (matched) {
            for (Map.Entry<String, int[]> e : this.indices.entrySet()) {
                float[] v = this.values.get(e.getKey());
                if (v == null || v.length != e.getValue().length) {
                    throw new IllegalArgumentException("the matched fill has " + (v == null ? "no" : v.length)
                            + " values for the " + e.getValue().length + " entries of '" + e.getKey() + "'");
                }
            }
        }
    }

    /** The same entries with the matched fill's {@code values}, one per index, by key. */
    public PruneMask withMatchedValues(Map<String, float[]> matched) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.putAll(PruneFill.MATCHED.toMetadata());
        return new PruneMask(indices, shapes, meta, matched);
    }

    /** The values of the pruned entries by key, in index order: the matched fill's; empty for the other fills. */
    public Map<String, float[]> values() {
        return Collections.unmodifiableMap(values);
    }

    public Map<String, int[]> indices() {
        return Collections.unmodifiableMap(indices);
    }

    /** Shape of each masked parameter. */
    public Map<String, long[]> shapes() {
        return Collections.unmodifiableMap(shapes);
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    public String fingerprint() {
        return metadata.get(FINGERPRINT);
    }

    /** The value the pruned weights get, as recorded; zero for masks that record none (written before fills). */
    public PruneFill fill() {
        return PruneFill.fromMetadata(metadata);
    }

    /** Number of pruned weights. */
    public long count() {
        long n = 0;
        for (int[] v : indices.values()) {
            n += v.length;
        }
        return n;
    }

    /**
     * Union with another mask of the same base model and fill; metadata of both is kept under prefixes.
     *
     * @throws InputException when the masks fill their pruned weights differently
     */
    public PruneMask union(PruneMask other) {
        if (!String.valueOf(fingerprint()).equals(String.valueOf(other.fingerprint()))) {
            throw new IllegalArgumentException("masks belong to different base models (fingerprints "
                    + fingerprint() + " and " + other.fingerprint() + ")");
        }
        if (fill().kind() == PruneFill.Kind.MATCHED || other.fill().kind() == PruneFill.Kind.MATCHED) {
            throw new InputException("masks with a matched fill cannot be united: each one's values were solved "
                    + "for its own entries; erase the concepts together instead");
        }
        if (!fill().equals(other.fill())) {
            throw new InputException("masks with different fills cannot be united (" + fill() + " and "
                    + other.fill() + "): the pruned weights of one edited model get one fill");
        }
        Map<String, int[]> merged = new TreeMap<>(indices);
        Map<String, long[]> mergedShapes = new TreeMap<>(shapes);
        for (Map.Entry<String, int[]> e : other.indices.entrySet()) {
            long[] s = other.shapes.get(e.getKey());
            long[] mine = mergedShapes.putIfAbsent(e.getKey(), s);
            if (mine != null && !Arrays.equals(mine, s)) {
                throw new IllegalArgumentException("masks disagree on the shape of '" + e.getKey() + "'");
            }
            merged.merge(e.getKey(), e.getValue(), PruneMask::unionSorted);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FINGERPRINT, fingerprint());
        meta.putAll(fill().toMetadata());
        String concepts = joinConcepts(metadata.get("concepts"), other.metadata.get("concepts"));
        if (concepts != null) {
            meta.put("concepts", concepts);
        }
        meta.put("combined_from", "[" + metaJson(metadata) + "," + metaJson(other.metadata) + "]");
        return new PruneMask(merged, mergedShapes, meta);
    }

    private static String joinConcepts(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + "; " + b;
    }

    private static String metaJson(Map<String, String> m) {
        return new com.google.gson.Gson().toJson(m);
    }

    static int[] unionSorted(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            int v;
            if (j >= b.length || (i < a.length && a[i] < b[j])) {
                v = a[i++];
            } else if (i >= a.length || b[j] < a[i]) {
                v = b[j++];
            } else {
                v = a[i++];
                j++;
            }
            out[n++] = v;
        }
        return Arrays.copyOf(out, n);
    }

    /** Writes the mask atomically. Each tensor is named by the parameter; its shape metadata by {@code shape:NAME}. */
    public void write(Path file) {
        SafetensorsWriter w = new SafetensorsWriter();
        metadata.forEach(w::metadata);
        w.metadata("format", "conceptprune-mask-v1");
        for (Map.Entry<String, int[]> e : indices.entrySet()) {
            w.addInts(e.getKey(), new long[] {e.getValue().length}, e.getValue());
            w.metadata("shape:" + e.getKey(), Arrays.toString(shapes.get(e.getKey())));
        }
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            w.addFloats(VALUES + e.getKey(), DType.F32, new long[] {e.getValue().length}, e.getValue());
        }
        w.write(file);
    }

    /** Reads and checks a mask file: indices sorted, unique and inside the declared shape. */
    public static PruneMask read(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            if (!"conceptprune-mask-v1".equals(f.metadata().get("format"))) {
                throw new WeightFormatException(file, "not a ConceptPrune mask file (metadata format is "
                        + f.metadata().get("format") + ")");
            }
            Map<String, int[]> idx = new TreeMap<>();
            Map<String, long[]> shapes = new TreeMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            f.metadata().forEach((k, v) -> {
                if (!k.startsWith("shape:") && !k.equals("format")) {
                    meta.put(k, v);
                }
            });
            try {
                PruneFill.fromMetadata(meta);
            } catch (IllegalArgumentException e) {
                throw new WeightFormatException(file, e.getMessage());
            }
            Map<String, float[]> values = new TreeMap<>();
            for (TensorInfo t : f.tensors().values()) {
                if (t.name().startsWith(VALUES)) {
                    values.put(t.name().substring(VALUES.length()), f.readFloats(t.name()));
                    continue;
                }
                long[] shape = parseShape(file, t.name(), f.metadata().get("shape:" + t.name()));
                long size = 1;
                for (long d : shape) {
                    size *= d;
                }
                long[] raw = f.readLongs(t.name());
                int[] v = new int[raw.length];
                for (int i = 0; i < raw.length; i++) {
                    if (raw[i] < 0 || raw[i] >= size || (i > 0 && raw[i] <= raw[i - 1])) {
                        throw new WeightFormatException(file, "indices of '" + t.name()
                                + "' are not sorted, unique and inside shape " + Arrays.toString(shape));
                    }
                    v[i] = (int) raw[i];
                }
                idx.put(t.name(), v);
                shapes.put(t.name(), shape);
            }
            try {
                return new PruneMask(idx, shapes, meta, values);
            } catch (IllegalArgumentException e) {
                throw new WeightFormatException(file, e.getMessage());
            }
        }
    }

    private static long[] parseShape(Path file, String name, String text) {
        if (text == null || !text.startsWith("[") || !text.endsWith("]")) {
            throw new WeightFormatException(file, "no shape recorded for '" + name + "'");
        }
        try {
            String body = text.substring(1, text.length() - 1).trim();
            return body.isEmpty() ? new long[0]
                    : Arrays.stream(body.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new WeightFormatException(file, "malformed shape '" + text + "' for '" + name + "'");
        }
    }
}
