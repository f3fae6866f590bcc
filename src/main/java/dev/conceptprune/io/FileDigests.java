package dev.conceptprune.io;

import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * SHA-256 of files' bytes, remembered in a cache folder so that multi-gigabyte weights are hashed
 * once, not on every run. The digest is always of the content; a cached digest is reused only
 * while the file keeps the path, size and modification time it had when it was hashed, so a
 * replaced file is hashed again. A file modified in the last {@link #SETTLE_NANOS} is not
 * remembered: it could change again within the time stamp's resolution. One small file per hashed
 * path, written atomically: any number of processes may share the cache. A cache that cannot be
 * written only costs time.
 */
public final class FileDigests {
    /** System property naming the cache folder; else {@code $CONCEPTPRUNE_CACHE}, else {@code ~/.cache/conceptprune}. */
    public static final String CACHE_PROPERTY = "conceptprune.cache";

    private static final long SETTLE_NANOS = 2_000_000_000L;

    private record Entry(String path, long size, long modifiedNanos, String sha256) {
    }

    private final Path dir;

    /** Digests cached in {@code dir}. */
    public FileDigests(Path dir) {
        this.dir = dir;
    }

    /** Digests cached in the user's cache folder (see {@link #CACHE_PROPERTY}). */
    public static FileDigests shared() {
        String configured = System.getProperty(CACHE_PROPERTY, System.getenv("CONCEPTPRUNE_CACHE"));
        Path root = configured != null && !configured.isBlank() ? Paths.get(configured)
                : Paths.get(System.getProperty("user.home"), ".cache", "conceptprune");
        return new FileDigests(root.resolve("sha256"));
    }

    /** SHA-256 (hex) of the file's bytes; links are followed. */
    public String sha256(Path file) {
        Path real;
        BasicFileAttributes a;
        try {
            real = file.toRealPath();
            a = Files.readAttributes(real, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String path = real.toString();
        long modified = a.lastModifiedTime().toInstant().getEpochSecond() * 1_000_000_000L
                + a.lastModifiedTime().toInstant().getNano();
        Path entryFile = dir.resolve(Hashing.sha256(path) + ".json");
        Entry cached = read(entryFile);
        if (cached != null && cached.path().equals(path) && cached.size() == a.size()
                && cached.modifiedNanos() == modified) {
            return cached.sha256();
        }
        String digest = Hashing.sha256(real);
        long now = System.currentTimeMillis() * 1_000_000L;
        if (now - modified < SETTLE_NANOS) {
            return digest;
        }
        try {
            AtomicFiles.writeString(entryFile, Json.line(new Entry(path, a.size(), modified, digest)) + "\n");
        } catch (OutputException e) {
            // An unwritable cache only means hashing again next time.
        }
        return digest;
    }

    private static Entry read(Path entryFile) {
        try {
            Entry e = Json.compact().fromJson(Files.readString(entryFile, StandardCharsets.UTF_8), Entry.class);
            return e == null || e.path() == null || e.sha256() == null ? null : e;
        } catch (IOException | JsonParseException e) {
            return null;
        }
    }
}
