package dev.conceptprune.spark;

import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system under its own scheme ({@code cptest:///path}) over local files: what the code does
 * with it, it does through Hadoop's API as for {@code hdfs://} or {@code s3a://}, and the test can look at
 * the files directly. Registered with {@code fs.cptest.impl}.
 */
public final class LocalSchemeFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "cptest";
    /** The Spark setting that registers it. */
    static final String SETTING = "spark.hadoop.fs." + SCHEME + ".impl=" + LocalSchemeFileSystem.class.getName();

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    // The local statuses read their permissions from a file: URI, which this scheme's paths are not.
    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return plain(super.getFileStatus(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        return Arrays.stream(super.listStatus(f)).map(LocalSchemeFileSystem::plain).toArray(FileStatus[]::new);
    }

    private static FileStatus plain(FileStatus s) {
        return new FileStatus(s.getLen(), s.isDirectory(), s.getReplication(), s.getBlockSize(),
                s.getModificationTime(), s.getPath());
    }

    /** The URI of a local path on this file system. */
    static String uri(java.nio.file.Path p) {
        return SCHEME + "://" + p.toAbsolutePath();
    }
}
