package dev.conceptprune.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes files and folders so that they appear complete or not at all: the content goes to a
 * hidden temporary entry ({@code .<name>.<random>.tmp}) in the target's directory, which is then
 * renamed over the target. Temporary entries are created without explicit permissions, so what
 * lands has the permissions a plain write would give (files 0666, folders 0777, less the umask).
 * Failures are {@link OutputException}s.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Something that writes a file's whole content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Something that fills a temporary entry (an empty file or an empty folder) at the given path. */
    @FunctionalInterface
    public interface Fill {
        void fill(Path tmp) throws IOException;
    }

    /** Writes {@code content} to {@code target} atomically. */
    public static void write(Path target, Content content) {
        writeFile(target, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
        });
    }

    /** Writes a UTF-8 string atomically. */
    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Lets {@code fill} write an empty temporary file beside {@code target}, then renames it over the target. */
    public static void writeFile(Path target, Fill fill) {
        Path abs = target.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            tmp = createHidden(abs, ".tmp", false);
            fill.fill(tmp);
            moveInto(tmp, abs);
            tmp = null;
        } catch (IOException e) {
            throw failure(target, e);
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * Lets {@code fill} build an empty temporary folder beside {@code target}, then puts it in the
     * target's place; an existing target is replaced (moved aside first, removed after).
     */
    public static void writeFolder(Path target, Fill fill) {
        Path abs = target.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            tmp = createHidden(abs, ".tmp", true);
            fill.fill(tmp);
            if (Files.exists(abs)) {
                Path old = createHidden(abs, ".old", true);
                Files.delete(old);
                Files.move(abs, old);
                moveInto(tmp, abs);
                deleteTree(old);
            } else {
                moveInto(tmp, abs);
            }
            tmp = null;
        } catch (IOException e) {
            throw failure(target, e);
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * Copies the bytes of {@code src} into {@code dst}, creating it or overwriting it. Unlike
     * {@code Files.copy}, which gives a new file the source's mode, a new {@code dst} gets a new
     * file's permissions.
     */
    public static void copyContent(Path src, Path dst) throws IOException {
        try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            for (long done = 0; done < size; ) {
                done += in.transferTo(done, size - done, out);
            }
        }
    }

    /** Renames {@code tmp} over {@code target}, atomically where the file system allows. */
    public static void moveInto(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The failure to write {@code target}, as the user should see it. */
    public static OutputException failure(Path target, IOException e) {
        return new OutputException("cannot write " + target + ": " + reason(target.toAbsolutePath(), e), e);
    }

    /**
     * The file system's reason, worded where the exception carries only a path, and with the path
     * it concerns unless that is the target itself, its temporary entry or a rename of one.
     */
    private static String reason(Path target, IOException e) {
        if (!(e instanceof FileSystemException f)) {
            return e.getMessage();
        }
        String why = f.getReason() != null ? f.getReason()
                : e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such file or folder"
                : e instanceof NotDirectoryException ? "not a folder"
                : e instanceof FileAlreadyExistsException ? "exists and is not a folder"
                : e instanceof DirectoryNotEmptyException ? "a folder that is not empty"
                : e.getClass().getSimpleName();
        if (f.getFile() == null || f.getOtherFile() != null) {
            return why;
        }
        Path file = Path.of(f.getFile()).toAbsolutePath();
        boolean own = file.equals(target) || (file.getParent() != null && file.getParent().equals(target.getParent())
                && file.getFileName().toString().startsWith("." + target.getFileName() + "."));
        return own ? why : file + ": " + why;
    }

    /** A new, empty, uniquely named hidden entry beside {@code target}, with the default permissions. */
    private static Path createHidden(Path target, String suffix, boolean folder) throws IOException {
        Path dir = target.getParent();
        while (true) {
            Path p = dir.resolve("." + target.getFileName() + "."
                    + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + suffix);
            try {
                return folder ? Files.createDirectory(p) : Files.createFile(p);
            } catch (FileAlreadyExistsException taken) {
                // another writer drew the same name; draw again
            }
        }
    }

    /** Removes a file or folder tree if it exists; a failure is reported as writing {@code root} failed. */
    public static void removeTree(Path root) {
        try {
            walkDelete(root);
        } catch (IOException e) {
            throw failure(root, e);
        }
    }

    private static void deleteTree(Path root) {
        try {
            walkDelete(root);
        } catch (IOException ignored) {
            // a leftover hidden temporary entry is harmless and named as such
        }
    }

    private static void walkDelete(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> paths = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }
}
