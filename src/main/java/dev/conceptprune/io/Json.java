package dev.conceptprune.io;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import com.google.gson.Strictness;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON style of every file we write: typed records serialised with snake_case keys,
 * nulls written, no HTML escaping, and strict JSON: a NaN or infinity anywhere (record field, map
 * value, JSON tree) throws instead of being written, because other tools cannot read it back.
 * A figure that is undefined is written as null, and the object holding it carries
 * {@code "undefined": {"<key>": "<reason>"}} ({@link Undefined}).
 */
public final class Json {
    /** A path as its string (the platform's own classes are not open to reflection). */
    private static final TypeAdapter<Path> PATHS = new TypeAdapter<>() {
        @Override
        public void write(JsonWriter out, Path value) throws IOException {
            if (value == null) {
                out.nullValue();
            } else {
                out.value(value.toString());
            }
        }

        @Override
        public Path read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return null;
            }
            return Path.of(in.nextString());
        }
    };
    // After PATHS, which the builder registers.
    private static final Gson COMPACT = builder().create();
    private static final Gson PRETTY = builder().setPrettyPrinting().create();

    private Json() {
    }

    private static GsonBuilder builder() {
        return new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .serializeNulls().disableHtmlEscaping().setStrictness(Strictness.STRICT)
                .registerTypeHierarchyAdapter(Path.class, PATHS);
    }

    /** The shared instance for one-line JSON (JSONL rows, state files). */
    public static Gson compact() {
        return COMPACT;
    }

    /** The shared instance for human-read files (summaries, metrics). */
    public static Gson pretty() {
        return PRETTY;
    }

    /** One line of JSON. */
    public static String line(Object value) {
        return COMPACT.toJson(value);
    }

    /** Writes {@code value} as indented JSON plus a newline, atomically. */
    public static void write(Path file, Object value) {
        AtomicFiles.writeString(file, PRETTY.toJson(value) + "\n");
    }

    /**
     * Collects the reasons of an object's undefined figures: {@link #figure} turns a NaN into null
     * and records why under the figure's JSON key; {@link #reasons()} is the {@code undefined} map.
     */
    public static final class Undefined {
        private final Map<String, String> reasons = new LinkedHashMap<>();

        /** {@code value}, or null (remembering {@code reason} under {@code key}) when it is not finite. */
        public Double figure(String key, double value, String reason) {
            if (Double.isFinite(value)) {
                return value;
            }
            reasons.put(key, reason);
            return null;
        }

        /** Records a figure that is null for {@code reason}. */
        public void add(String key, String reason) {
            reasons.put(key, reason);
        }

        /** The reasons by key, or null when every figure is defined (the field is then left out). */
        public Map<String, String> reasons() {
            return reasons.isEmpty() ? null : new LinkedHashMap<>(reasons);
        }
    }
}
