package dev.conceptprune.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDigestsTest {
    private static final FileTime SETTLED = FileTime.fromMillis(1_000_000_000_000L);

    @TempDir
    Path tmp;

    @Test
    void digestIsTheContentsSha256() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hashing.sha256(""));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hashing.sha256("abc"));
    }

    @Test
    void cachedDigestsServeUnchangedFilesAndNeverOutliveAChange() throws Exception {
        Path file = tmp.resolve("weights.bin");
        Files.writeString(file, "first");
        Files.setLastModifiedTime(file, SETTLED);
        FileDigests digests = new FileDigests(tmp.resolve("cache"));
        assertEquals(Hashing.sha256("first"), digests.sha256(file));
        assertEquals(1, cacheEntries());

        // A cache entry is trusted while path, size and time match: replace its digest to see it used.
        Path entry = entries().get(0);
        Files.writeString(entry, Files.readString(entry).replace(Hashing.sha256("first"), "cached"));
        assertEquals("cached", new FileDigests(tmp.resolve("cache")).sha256(file));

        Files.setLastModifiedTime(file, FileTime.fromMillis(SETTLED.toMillis() + 1000));
        assertEquals(Hashing.sha256("first"), digests.sha256(file), "another time: hashed again, same content key");

        Files.writeString(file, "second!");
        Files.setLastModifiedTime(file, SETTLED);
        assertEquals(Hashing.sha256("second!"), digests.sha256(file), "another size: hashed again");
    }

    @Test
    void recentlyModifiedFilesAreNotRemembered() throws Exception {
        Path file = tmp.resolve("fresh.bin");
        Files.writeString(file, "fresh");
        assertEquals(Hashing.sha256("fresh"), new FileDigests(tmp.resolve("cache")).sha256(file));
        assertEquals(0, cacheEntries());
    }

    @Test
    void anUnwritableCacheOnlyCostsTime() throws Exception {
        Path file = tmp.resolve("w.bin");
        Files.writeString(file, "x");
        Files.setLastModifiedTime(file, SETTLED);
        Path notAFolder = tmp.resolve("cache-file");
        Files.writeString(notAFolder, "");
        assertEquals(Hashing.sha256("x"), new FileDigests(notAFolder).sha256(file));
    }

    private long cacheEntries() throws Exception {
        return Files.isDirectory(tmp.resolve("cache")) ? entries().size() : 0;
    }

    private List<Path> entries() throws Exception {
        try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
            return s.toList();
        }
    }
}
