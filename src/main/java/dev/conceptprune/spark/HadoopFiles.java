package dev.conceptprune.spark;

import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.InputException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Files on Hadoop's file systems ({@code hdfs://}, {@code s3a://}, any scheme the cluster's Hadoop knows),
 * copied to and from local files. Holds only the Hadoop settings, so that tasks carry it to the executors,
 * which build their own {@link FileSystem}s from it. Uploads write a hidden temporary file and rename it,
 * so that a reader never sees a half-written file under its name.
 */
final class HadoopFiles implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Prefix of the temporary files of uploads; listings skip them. */
    static final String PART = ".cp-part-";

    /** A file's length and modification time, which tell a changed file from an unchanged one. */
    record Stamp(long length, long modified) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final Map<String, String> settings;
    /** Built from {@link #settings} once per JVM and copy (reading Hadoop's default resources is slow). */
    private transient Configuration conf;

    /** @param settings Hadoop configuration entries over the defaults (core-site.xml on the class path) */
    HadoopFiles(Map<String, String> settings) {
        this.settings = Map.copyOf(settings);
    }

    /**
     * Every file under {@code root} by its path relative to it ({@code ""} for a root that is a file), in
     * name order, or an empty map when nothing is there.
     */
    Map<String, Stamp> list(URI root) {
        try {
            FileSystem fs = fs(root);
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root);
            Map<String, Stamp> files = new TreeMap<>();
            FileStatus top;
            try {
                top = fs.getFileStatus(p);
            } catch (FileNotFoundException e) {
                return files;
            }
            if (top.isFile()) {
                files.put("", new Stamp(top.getLen(), top.getModificationTime()));
                return files;
            }
            String base = top.getPath().toUri().getPath();
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(p, true);
            while (it.hasNext()) {
                LocatedFileStatus s = it.next();
                String rel = relative(base, s.getPath().toUri().getPath());
                if (!s.getPath().getName().startsWith(PART)) {
                    files.put(rel, new Stamp(s.getLen(), s.getModificationTime()));
                }
            }
            return files;
        } catch (IOException e) {
            throw new InputException(root + ": cannot list: " + e.getMessage());
        }
    }

    /** The stamp of one file, or null when there is none. */
    Stamp stamp(URI file) {
        try {
            FileStatus s = fs(file).getFileStatus(new org.apache.hadoop.fs.Path(file));
            return s.isFile() ? new Stamp(s.getLen(), s.getModificationTime()) : null;
        } catch (FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Copies a remote file to {@code target} atomically; the copy gets the remote modification time. */
    void download(URI file, Stamp stamp, Path target) {
        AtomicFiles.write(target, o -> {
            try (InputStream in = fs(file).open(new org.apache.hadoop.fs.Path(file))) {
                in.transferTo(o);
            }
        });
        try {
            Files.setLastModifiedTime(target, FileTime.fromMillis(stamp.modified()));
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": " + e.getMessage(), e);
        }
    }

    /** Copies a local file to {@code file} (temporary file, then rename) and returns the stamp it got there. */
    Stamp upload(Path source, URI file) {
        try {
            FileSystem fs = fs(file);
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(file);
            org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(target.getParent(),
                    PART + target.getName() + "." + UUID.randomUUID());
            try (OutputStream out = fs.create(tmp, true)) {
                Files.copy(source, out);
            }
            // rename does not replace on every file system (HDFS refuses): the old file goes first
            if (!fs.rename(tmp, target)) {
                fs.delete(target, false);
                if (!fs.rename(tmp, target)) {
                    fs.delete(tmp, false);
                    throw new IOException("cannot rename " + tmp + " to " + target);
                }
            }
            return new Stamp(Files.size(source), fs.getFileStatus(target).getModificationTime());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes a remote file. */
    void delete(URI file) {
        try {
            fs(file).delete(new org.apache.hadoop.fs.Path(file), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code rel} under the folder {@code root}. */
    static URI resolve(URI root, String rel) {
        if (rel.isEmpty()) {
            return root;
        }
        String s = root.toString();
        return URI.create(s.endsWith("/") ? s + rel : s + "/" + rel);
    }

    private static String relative(String base, String path) {
        String b = base.endsWith("/") ? base : base + "/";
        if (!path.startsWith(b)) {
            throw new IllegalStateException(path + " is not under " + base);
        }
        return path.substring(b.length());
    }

    private FileSystem fs(URI uri) throws IOException {
        Configuration c;
        synchronized (this) {
            if (conf == null) {
                conf = new Configuration();
                settings.forEach(conf::set);
            }
            c = conf;
        }
        return FileSystem.get(uri, c);
    }

    /** The Hadoop entries of Spark settings: {@code spark.hadoop.x=v} is Hadoop's {@code x=v}. */
    static HadoopFiles of(Map<String, String> spark) {
        Map<String, String> h = new LinkedHashMap<>();
        spark.forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                h.put(k.substring("spark.hadoop.".length()), v);
            }
        });
        return new HadoopFiles(h);
    }
}
