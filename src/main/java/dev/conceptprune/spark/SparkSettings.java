package dev.conceptprune.spark;

import dev.conceptprune.io.InputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to reach Spark.
 *
 * @param master  the master URL ({@code local[*]}, {@code local[2]}, {@code yarn}, {@code k8s://...},
 *                {@code spark://...}), or null to keep the one spark-submit set
 * @param conf    Spark configuration passed through unchanged (later entries win)
 * @param threads libtorch intra-op threads per executor JVM
 */
public record SparkSettings(String master, Map<String, String> conf, int threads) {
    /** The master a plain command line gets: every core of this machine. */
    public static final String LOCAL = "local[*]";

    public SparkSettings {
        conf = Map.copyOf(new LinkedHashMap<>(conf));
        if (threads < 1) {
            throw new InputException("libtorch threads per executor must be >= 1, got " + threads);
        }
    }

    /**
     * Settings from {@code key=value} entries.
     *
     * @throws InputException naming the entry without a '=' or with an empty key, or when Spark's classes
     *                        are not on the class path
     */
    public static SparkSettings of(String master, Iterable<String> entries, int threads) {
        try {
            // Checked here, in a class that names no Spark type, so that a missing jar is a message, not a crash.
            Class.forName("org.apache.spark.SparkConf", false, SparkSettings.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new InputException("the Spark engine needs Spark's jars on the class path: run it through "
                    + "./conceptprune (which adds target/spark-lib, made by mvn package) or spark-submit");
        }
        Map<String, String> conf = new LinkedHashMap<>();
        for (String e : entries) {
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new InputException("Spark configuration entries are key=value, got '" + e + "'");
            }
            conf.put(e.substring(0, eq).trim(), e.substring(eq + 1));
        }
        return new SparkSettings(master, conf, threads);
    }
}
