package dev.conceptprune.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where outputs may go: real paths compared, siblings allowed, unwritable folders refused. */
class OutputLocationTest {
    @TempDir
    Path tmp;

    @Test
    void anOutputReachedThroughALinkIntoTheInputIsRefused() throws IOException {
        Path model = Files.createDirectory(tmp.resolve("model"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), model);
        InputException e = assertThrows(InputException.class,
                () -> OutputLocation.of(link.resolve("out")).clearOf("model", model).folder());
        assertEquals(link.resolve("out") + " is inside the input model folder " + model
                + "; choose an output outside it", e.getMessage());
        assertThrows(InputException.class, () -> OutputLocation.of(tmp.resolve("x/../model/unet/a.png"))
                .clearOf("model", link).file(".png", "PNG"));
    }

    @Test
    void aSiblingWhoseNameStartsLikeTheInputIsAllowed() throws IOException {
        Path model = Files.createDirectory(tmp.resolve("model"));
        Path mask = Files.createFile(tmp.resolve("m.mask.safetensors"));
        Path out = tmp.resolve("model-edited");
        assertEquals(out, OutputLocation.of(out).clearOf("model", model).clearOf("mask", List.of(mask)).folder());
        assertEquals(tmp.resolve("modelx.png"),
                OutputLocation.of(tmp.resolve("modelx.png")).clearOf("model", model).file(".png", "PNG"));
    }

    @Test
    void aFolderThatCannotBeWrittenIsRefused() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root writes into read-only folders");
        Path locked = Files.createDirectory(tmp.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            InputException e = assertThrows(InputException.class,
                    () -> OutputLocation.of(locked.resolve("a/b")).folder());
            assertTrue(e.getMessage().contains("the folder " + locked + " is not writable"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
