package dev.conceptprune.spark;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Staging;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;

/**
 * The driver's locations for a Spark run, where models, prompt files, detectors and the output folder
 * may be on Hadoop file systems. A remote input is copied to {@code <staging>/<scheme>/<host>/<path>} on
 * the driver (and, for inputs the executors read, on each executor machine at its first task); the
 * output folder is a local mirror at the same kind of path: pulled before the run, published before
 * each Spark job and at the end, pulled again after each job. Local paths and {@code file:} URIs pass
 * through unchanged.
 */
public final class HadoopStaging implements Staging {
    /** The Spark setting naming the local staging folder, the same path on the driver and every executor. */
    public static final String ROOT_SETTING = "spark.conceptprune.staging";

    private final HadoopFiles files;
    private final Path root;
    private final Map<URI, Path> executorInputs = new LinkedHashMap<>();
    private OutputMirror mirror;
    private Map<String, HadoopFiles.Stamp> published = Map.of();

    /** Locations read and written with the Hadoop settings ({@code spark.hadoop.*}) of these Spark settings. */
    public HadoopStaging(SparkSettings settings) {
        // SparkConf brings spark-submit's settings (its system properties); --conf entries win.
        SparkConf conf = new SparkConf();
        settings.conf().forEach(conf::set);
        Map<String, String> all = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> e : conf.getAll()) {
            all.put(e._1(), e._2());
        }
        this.files = HadoopFiles.of(all);
        this.root = Path.of(all.getOrDefault(ROOT_SETTING,
                Path.of(System.getProperty("java.io.tmpdir"), "conceptprune-staging").toString())).toAbsolutePath();
    }

    @Override
    public Path input(String option, String location) {
        URI uri = remote(option, location);
        if (uri == null) {
            return Staging.local(option, location);
        }
        Path local = stage(option, uri);
        executorInputs.put(uri, local);
        return local;
    }

    @Override
    public Path driverInput(String option, String location) {
        URI uri = remote(option, location);
        return uri == null ? Staging.local(option, location) : stage(option, uri);
    }

    @Override
    public Path output(String option, String location) {
        URI uri = remote(option, location);
        if (uri == null) {
            return Staging.local(option, location);
        }
        if (mirror != null) {
            throw new IllegalStateException("one output folder per run");
        }
        mirror = new OutputMirror(files, uri, localPath(uri));
        try {
            mirror.pullAll();
        } catch (InputException e) {
            throw new InputException(option + " " + e.getMessage());
        }
        published = mirror.listLocal();
        return mirror.local();
    }

    @Override
    public void publish() {
        if (mirror != null) {
            published = mirror.publish(published);
        }
    }

    /** Makes the output folder's mirror hold what the executors stored remotely. */
    void refresh() {
        if (mirror != null) {
            mirror.pullAll();
            published = mirror.listLocal();
        }
    }

    /** The remote inputs executors stage before their first task. */
    StagedInputs executorInputs() {
        return new StagedInputs(files, executorInputs);
    }

    /** The output folder's mirror, or null when the output folder is local. */
    OutputMirror mirror() {
        return mirror;
    }

    private Path stage(String option, URI uri) {
        Path local = localPath(uri);
        try {
            StagedInputs.stage(files, uri, local, true);
        } catch (InputException e) {
            throw new InputException(option + " " + e.getMessage());
        }
        return local;
    }

    /** {@code <staging>/<scheme>/<host or _>/<path>}: the same on every machine, and readable in outputs. */
    private Path localPath(URI uri) {
        String host = uri.getAuthority() == null ? "_" : uri.getAuthority().replaceAll("[^A-Za-z0-9._-]", "_");
        Path p = root.resolve(uri.getScheme()).resolve(host);
        for (String part : uri.getPath().split("/")) {
            if (!part.isEmpty()) {
                p = p.resolve(part);
            }
        }
        return p;
    }

    /** The URI of a remote location, or null for a local one. */
    private static URI remote(String option, String location) {
        if (!Staging.isUri(location)) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(location).normalize();
        } catch (URISyntaxException e) {
            throw new InputException(option + " " + location + ": not a valid URI: " + e.getReason());
        }
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            return null;
        }
        if (uri.getPath() == null || uri.getPath().replace("/", "").isEmpty() || uri.getPath().contains("/../")
                || uri.getPath().endsWith("/..")) {
            throw new InputException(option + " " + location + ": give a file or folder below the file system's root");
        }
        return uri;
    }
}
