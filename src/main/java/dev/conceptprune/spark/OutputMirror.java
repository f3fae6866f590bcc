package dev.conceptprune.spark;

import dev.conceptprune.io.AtomicFiles;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A local folder that mirrors an output folder on a Hadoop file system: the driver and the executors
 * write into the mirror with the local code, then copy what they wrote to the remote folder. A file
 * counts as the same on both sides while its length and modification time agree (a copy takes the
 * other side's time). Files in folders whose name starts with a dot (the records) are uploaded after
 * the others, so that a record never names an image the remote folder lacks.
 */
final class OutputMirror implements Serializable {
    private static final long serialVersionUID = 1L;

    private final HadoopFiles files;
    private final String remote;
    private final String local;

    OutputMirror(HadoopFiles files, URI remote, Path local) {
        this.files = files;
        this.remote = remote.toString();
        this.local = local.toString();
    }

    /** The local folder. */
    Path local() {
        return Path.of(local);
    }

    /** The remote folder. */
    URI remote() {
        return URI.create(remote);
    }

    /** Makes the mirror hold what the remote folder holds: copies new and changed files, removes the others. */
    void pullAll() {
        Map<String, HadoopFiles.Stamp> there = files.list(remote());
        Map<String, HadoopFiles.Stamp> here = listLocal();
        there.forEach((rel, stamp) -> {
            if (!stamp.equals(here.get(rel))) {
                files.download(HadoopFiles.resolve(remote(), rel), stamp, local().resolve(rel));
            }
        });
        for (String rel : here.keySet()) {
            if (!there.containsKey(rel)) {
                delete(local().resolve(rel));
            }
        }
    }

    /**
     * Makes the mirror's {@code rels} what the remote folder holds: copies those it holds otherwise, removes
     * those it lacks (left from an earlier run on this machine, they would be uploaded as this run's).
     */
    void pull(List<String> rels) {
        for (String rel : rels) {
            HadoopFiles.Stamp there = files.stamp(HadoopFiles.resolve(remote(), rel));
            Path p = local().resolve(rel);
            if (there == null) {
                delete(p);
            } else if (!there.equals(localStamp(p))) {
                files.download(HadoopFiles.resolve(remote(), rel), there, p);
            }
        }
    }

    /** Uploads, in order, those of {@code rels} that the mirror holds and the remote folder lacks or holds otherwise. */
    void push(List<String> rels) {
        for (String rel : rels) {
            Path p = local().resolve(rel);
            HadoopFiles.Stamp here = localStamp(p);
            if (here != null && !here.equals(files.stamp(HadoopFiles.resolve(remote(), rel)))) {
                upload(rel);
            }
        }
    }

    /**
     * Uploads the files that are new or changed against {@code before} (records last) and removes remotely
     * the files that are gone; returns the mirror's listing afterwards.
     */
    Map<String, HadoopFiles.Stamp> publish(Map<String, HadoopFiles.Stamp> before) {
        Map<String, HadoopFiles.Stamp> now = listLocal();
        List<String> changed = new ArrayList<>();
        now.forEach((rel, stamp) -> {
            if (!stamp.equals(before.get(rel))) {
                changed.add(rel);
            }
        });
        changed.sort(Comparator.comparing(OutputMirror::isRecord));
        for (String rel : changed) {
            upload(rel);
        }
        for (String rel : before.keySet()) {
            if (!now.containsKey(rel)) {
                files.delete(HadoopFiles.resolve(remote(), rel));
            }
        }
        return listLocal();
    }

    /** Every file of the mirror by relative path, without the temporary files of writes under way. */
    Map<String, HadoopFiles.Stamp> listLocal() {
        Map<String, HadoopFiles.Stamp> out = new TreeMap<>();
        Path root = local();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    continue;
                }
                out.put(root.relativize(p).toString().replace('\\', '/'), localStamp(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    private void upload(String rel) {
        Path p = local().resolve(rel);
        HadoopFiles.Stamp there = files.upload(p, HadoopFiles.resolve(remote(), rel));
        try {
            Files.setLastModifiedTime(p, FileTime.fromMillis(there.modified()));
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": " + e.getMessage(), e);
        }
    }

    private static boolean isRecord(String rel) {
        return rel.startsWith(".") && rel.contains("/");
    }

    private static HadoopFiles.Stamp localStamp(Path p) {
        try {
            return Files.isRegularFile(p) ? new HadoopFiles.Stamp(Files.size(p), Files.getLastModifiedTime(p).toMillis())
                    : null;
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path p) {
        AtomicFiles.removeTree(p);
    }
}
