package dev.conceptprune.io;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.nio.file.Path;

/**
 * The one JSON style of every file we write: typed records serialised with snake_case keys,
 * nulls written, no HTML escaping, and strict numbers (a NaN or infinity is a bug, not output:
 * Gson refuses it).
 */
public final class Json {
    private static final Gson COMPACT = builder().create();
    private static final Gson PRETTY = builder().setPrettyPrinting().create();

    private Json() {
    }

    private static GsonBuilder builder() {
        return new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .serializeNulls().disableHtmlEscaping();
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
}
