package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An output that cannot be written during the work ends like a bad input: one error line, exit 2. */
class WriteFailureTest {
    @Test
    void anImageThatCannotBeWrittenExitsWithTwo(@TempDir Path tmp) throws IOException {
        // The second image's name is taken by a folder that is not empty: the rename onto it fails.
        Files.createDirectories(tmp.resolve("x-1.png/keep"));
        CliRun r = CliRun.run("generate", "--model", Fixtures.TINY_SD.toString(), "--prompt", "x", "--steps", "1",
                "--num-images", "2", "--height", "64", "--width", "64", "--force", "--quiet",
                "--out", tmp.resolve("x.png").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("error: cannot write " + tmp.resolve("x-1.png") + ": "), r.err());
        assertTrue(Files.isDirectory(tmp.resolve("x-1.png/keep")));
    }
}
