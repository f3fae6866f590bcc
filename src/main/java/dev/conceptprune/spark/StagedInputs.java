package dev.conceptprune.spark;

import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inputs on Hadoop file systems (models, prompt files, detectors) and the local copies the code reads:
 * each is copied once per machine into its local path, and again only when its remote files changed
 * (their listing of names, lengths and times, kept beside the copy, differs). The driver checks its inputs
 * at the start of every run, an executor JVM once, at its first task; JVMs of one machine share the copy
 * (a file lock orders them).
 */
final class StagedInputs implements Serializable {
    private static final long serialVersionUID = 1L;
    /** What this JVM has checked already: remote location and local path. */
    private static final Map<String, String> CHECKED = new HashMap<>();

    private final HadoopFiles files;
    /** Remote location to local path, in the order given. */
    private final Map<String, String> inputs;

    StagedInputs(HadoopFiles files, Map<URI, Path> inputs) {
        this.files = files;
        this.inputs = new LinkedHashMap<>();
        inputs.forEach((u, p) -> this.inputs.put(u.toString(), p.toString()));
    }

    /** Makes every input's local copy current on this machine. */
    void stageAll() {
        inputs.forEach((u, p) -> stage(files, URI.create(u), Path.of(p), false));
    }

    /**
     * Copies {@code remote} (a file or a folder) to {@code local} unless the copy there is current.
     *
     * @param again check the remote files also when this JVM checked them already
     * @throws InputException when the location holds nothing
     */
    static void stage(HadoopFiles files, URI remote, Path local, boolean again) {
        synchronized (CHECKED) {
            if (!again && local.toString().equals(CHECKED.get(remote.toString())) && Files.exists(local)) {
                return;
            }
            Map<String, HadoopFiles.Stamp> listing = files.list(remote);
            if (listing.isEmpty()) {
                throw new InputException(remote + ": no such file or folder");
            }
            String stamp = Json.line(listing);
            Path marker = local.resolveSibling("." + local.getFileName() + ".staged.json");
            Path lock = local.resolveSibling("." + local.getFileName() + ".lock");
            try {
                Files.createDirectories(local.getParent());
                try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = ch.lock()) {
                    boolean current = Files.exists(local) && Files.isRegularFile(marker)
                            && Files.readString(marker).equals(stamp);
                    if (!current) {
                        copy(files, remote, listing, local);
                        AtomicFiles.writeString(marker, stamp);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stage " + remote + " in " + local + ": " + e.getMessage(), e);
            }
            CHECKED.put(remote.toString(), local.toString());
        }
    }

    private static void copy(HadoopFiles files, URI remote, Map<String, HadoopFiles.Stamp> listing, Path local) {
        if (listing.containsKey("")) {
            files.download(remote, listing.get(""), local);
            return;
        }
        AtomicFiles.writeFolder(local, tmp -> listing.forEach((rel, stamp) ->
                files.download(HadoopFiles.resolve(remote, rel), stamp, tmp.resolve(rel))));
    }
}
