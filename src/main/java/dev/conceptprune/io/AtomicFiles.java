package dev.conceptprune.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes files so that they appear complete or not at all: the content goes to a temporary
 * file in the target's directory, which is then renamed over the target.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Something that writes a file's whole content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code content} to {@code target} atomically. */
    public static void write(Path target, Content content) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
            moveInto(tmp, abs);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Something that fills a new, empty folder. */
    @FunctionalInterface
    public interface FolderContent {
        void writeInto(Path dir) throws IOException;
    }

    /**
     * Builds a folder under a hidden temporary name next to {@code target} and renames it into place,
     * replacing an existing {@code target} only once the new one is complete; on failure nothing of the
     * new folder remains and an existing {@code target} is kept.
     */
    public static void writeFolder(Path target, FolderContent content) {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp-");
            content.writeInto(tmp);
            if (Files.exists(abs)) {
                Path old = Files.createTempDirectory(parent, "." + abs.getFileName() + ".old-");
                Files.delete(old);
                Files.move(abs, old);
                moveInto(tmp, abs);
                deleteTree(old);
            } else {
                moveInto(tmp, abs);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Deletes a folder and everything in it, leaving what cannot be deleted (hidden temp names are harmless). */
    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover hidden temp folder is harmless and named as such
        }
    }

    /** Writes a UTF-8 string atomically. */
    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Renames {@code tmp} over {@code target}, atomically where the file system allows. */
    public static void moveInto(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // the temp file is hidden and named as such; leaving it is harmless
            }
        }
    }
}
