package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.types.DataType;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.runtime.CpuFlags;
import dev.conceptprune.runtime.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The global --dtype: what it selects lasts one command line, and images computed in it are kept apart. */
class ComputeDtypeTest {
    @TempDir
    Path tmp;

    private static List<String> eval(Path prompts, Path out, String... before) {
        List<String> a = new ArrayList<>(List.of(before));
        a.addAll(List.of("eval", "--model", Fixtures.TINY_SD.toString(), "--prompts", prompts.toString(),
                "--steps", "2", "--height", "64", "--width", "64", "--out", out.toString()));
        return a;
    }

    @Test
    void anEvalInBf16GeneratesItsOwnImagesAndTheNextCommandLineIsFloat32Again() throws IOException {
        assumeTrue(CpuFlags.hasBf16(), "the CPU has neither avx512_bf16 nor amx_bf16");
        Path prompts = tmp.resolve("prompts.csv");
        Files.writeString(prompts, "prompt,evaluation_seed\na red star,1\na blue cross,2\n");
        Path out = tmp.resolve("out");

        CliRun first = CliRun.run(eval(prompts, out));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("2 images: 2 generated, 0 reused"), first.out());
        byte[] float32 = Files.readAllBytes(out.resolve("images/tiny-sd/0.png"));

        CliRun bf16 = CliRun.run(eval(prompts, out, "--dtype", "bf16"));
        assertEquals(0, bf16.code(), bf16.err());
        assertTrue(bf16.out().contains("2 images: 2 generated, 0 reused"),
                "float32 images are not reused under bf16: " + bf16.out());
        assertFalse(Arrays.equals(float32, Files.readAllBytes(out.resolve("images/tiny-sd/0.png"))),
                "the bf16 image differs from the float32 one");

        Main.commandLine();
        assertEquals(DataType.FLOAT32, Runtime.selected().dtype(), "a new command line starts in float32");
        CliRun again = CliRun.run(eval(prompts, out));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("2 images: 2 generated, 0 reused"),
                "without --dtype the images are float32 ones again: " + again.out());
        assertArrayEquals(float32, Files.readAllBytes(out.resolve("images/tiny-sd/0.png")),
                "float32 reproduces its image");
    }

    @Test
    void anUnknownDtypeIsBadInput() {
        CliRun r = CliRun.run(List.of("--dtype", "fp8", "inspect", Fixtures.TINY_SD.toString()));
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("--dtype must be float32 or bf16, got 'fp8'"), r.err());
    }
}
