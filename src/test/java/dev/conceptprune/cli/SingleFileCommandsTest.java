package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * erase and apply on the tiny-sd1-single checkpoint: the edited model is a single file of the
 * input's name, apply of the erase's mask reproduces it byte for byte, and the input is untouched.
 */
class SingleFileCommandsTest {
    private static final Path FILE = Fixtures.ROOT.resolve("tiny-sd1-single/tiny-sd1c.safetensors");

    @Test
    void eraseWritesASingleFileThatApplyReproduces(@TempDir Path tmp) throws IOException {
        byte[] input = Files.readAllBytes(FILE);
        Path out = tmp.resolve("erase");
        CliRun erase = CliRun.run("erase", "--model", FILE.toString(), "--style", "Van Gogh", "--steps", "4",
                "--tau", "2", "--height", "64", "--width", "64", "--quiet", "--out", out.toString());
        assertEquals(0, erase.code(), erase.err());
        Path edited = out.resolve("tiny-sd1c.safetensors");
        assertTrue(erase.out().contains("edited model: " + edited), erase.out());
        assertEquals(input.length, Files.size(edited));
        assertTrue(Files.mismatch(FILE, edited) > 0, "the edit changed nothing");

        Path applied = tmp.resolve("apply");
        CliRun apply = CliRun.run("apply", "--model", FILE.toString(), "--mask",
                out.resolve("van-gogh.mask.safetensors").toString(), "--out", applied.toString());
        assertEquals(0, apply.code(), apply.err());
        assertEquals(-1, Files.mismatch(edited, applied.resolve("tiny-sd1c.safetensors")));
        assertEquals(-1, Arrays.mismatch(input, Files.readAllBytes(FILE)), "the input was written to");
    }
}
