package dev.conceptprune.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes end with a plain write's permissions, leave no temporary entries, and fail as outputs. */
class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void writtenFilesAndFoldersHaveThePermissionsOfPlainOnes() throws IOException {
        Path plainFile = Files.createFile(tmp.resolve("plain.txt"));
        Path plainDir = Files.createDirectory(tmp.resolve("plain"));
        Path file = tmp.resolve("written.txt");
        AtomicFiles.writeString(file, "x");
        Path folder = tmp.resolve("folder");
        AtomicFiles.writeFolder(folder, t -> AtomicFiles.copyContent(file, t.resolve("copy.txt")));

        assertEquals(Files.getPosixFilePermissions(plainFile), Files.getPosixFilePermissions(file));
        assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(folder));
        assertEquals(Files.getPosixFilePermissions(plainFile),
                Files.getPosixFilePermissions(folder.resolve("copy.txt")));
        assertEquals(List.of("folder", "plain", "plain.txt", "written.txt"), names(tmp));
    }

    @Test
    void aFolderIsReplacedWholeAndAFailedFillLeavesTheOldOne() throws IOException {
        Path folder = tmp.resolve("model");
        AtomicFiles.writeFolder(folder, t -> Files.writeString(t.resolve("a"), "1"));
        AtomicFiles.writeFolder(folder, t -> Files.writeString(t.resolve("b"), "2"));
        assertEquals(List.of("b"), names(folder));

        assertThrows(OutputException.class, () -> AtomicFiles.writeFolder(folder, t -> {
            Files.writeString(t.resolve("c"), "3");
            throw new IOException("disk full");
        }));
        assertEquals(List.of("b"), names(folder));
        assertEquals(List.of("model"), names(tmp), "no temporary entries left");
    }

    @Test
    void aWriteThatCannotHappenIsAnOutputExceptionNamingTheTarget() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "in the way");
        Path target = file.resolve("sub/out.json");
        OutputException e = assertThrows(OutputException.class, () -> AtomicFiles.writeString(target, "{}"));
        String prefix = "cannot write " + target + ": ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(e.getMessage().substring(prefix.length()).startsWith(file.toString()), "names what is in the way");
        assertFalse(Files.exists(target));
        assertEquals("in the way", Files.readString(file));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
