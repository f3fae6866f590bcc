package dev.conceptprune.io;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a command's files and output folder are. Locations are local paths, or, with an engine that
 * reaches remote storage, file system URIs ({@code hdfs://}, {@code s3a://}): then inputs are staged into a
 * local copy, the output folder is a local mirror, and {@link #publish} sends the mirror's changes back.
 */
public interface Staging {
    /** Local paths only: a URI other than {@code file:} is refused. */
    Staging LOCAL = new Staging() {
        @Override
        public Path input(String option, String location) {
            return local(option, location);
        }

        @Override
        public Path driverInput(String option, String location) {
            return local(option, location);
        }

        @Override
        public Path output(String option, String location) {
            return local(option, location);
        }

        @Override
        public void publish() {
        }
    };

    /**
     * The local file or folder to read {@code location} from, in this process and wherever the work runs;
     * {@code option} names it in errors.
     */
    Path input(String option, String location);

    /** As {@link #input}, for a location that only this process reads (prompt files, scoring models). */
    Path driverInput(String option, String location);

    /** The local folder to write the results for {@code location} into, holding what the location holds. */
    Path output(String option, String location);

    /** Sends what changed in the output folder since it was last published or refreshed to its location. */
    void publish();

    /** How to name {@code file} of the output folder to the user: under {@code location} as given when it is a URI. */
    static String shown(String location, Path local, String file) {
        return isUri(location) ? location.replaceAll("/+$", "") + "/" + file : local.resolve(file).toAbsolutePath()
                .toString();
    }

    /** True for a location with a scheme ({@code hdfs://...}), as opposed to a local path. */
    static boolean isUri(String location) {
        return URI_LIKE.matcher(location).lookingAt();
    }

    /**
     * A local path for a location that is one: a plain path or a {@code file:} URI.
     *
     * @throws InputException for another scheme's URI, which needs a remote-capable engine
     */
    static Path local(String option, String location) {
        if (!isUri(location)) {
            return Path.of(location);
        }
        URI uri;
        try {
            uri = new URI(location);
        } catch (java.net.URISyntaxException e) {
            throw new InputException(option + " " + location + ": not a valid URI: " + e.getReason());
        }
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            return Path.of(uri.getPath());
        }
        throw new InputException(option + " " + location + ": file system URIs other than file: are read and "
                + "written through Hadoop's file systems, which come with --engine spark; locally give a path "
                + "(a mount of the storage)");
    }

    /** A scheme of two or more letters, so that a Windows drive letter is not one. */
    Pattern URI_LIKE = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+://|file:/");
}
