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
import dev.conceptprune.runtime.Devices;
import dev.conceptprune.runtime.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The global --device and --dtype: what they select lasts one command, images computed in another dtype are
 * kept apart, and what this machine cannot compute on is refused before any work.
 */
class DeviceAndDtypeTest {
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
        assertTrue(Files.readString(out.resolve("manifest.jsonl")).contains("\"device\":\"cpu\",\"dtype\":\"bf16\""),
                "the manifest says how the images were computed");

        assertEquals(DataType.FLOAT32, Runtime.selected().dtype(), "the selection ends with its command");
        CliRun again = CliRun.run(eval(prompts, out));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("2 images: 2 generated, 0 reused"),
                "without --dtype the images are float32 ones again: " + again.out());
        assertArrayEquals(float32, Files.readAllBytes(out.resolve("images/tiny-sd/0.png")),
                "float32 reproduces its image");
    }

    @Test
    void whatCannotBeHadHereIsBadInput() {
        badInput("--dtype must be float32, bf16 or fp16, got 'fp8'", "--dtype", "fp8");
        badInput("--device tpu: device must be cpu, cuda, cuda:N or auto, got 'tpu'", "--device", "tpu");
        badInput("fp16 compute is for CUDA devices; on the CPU use bf16", "--dtype", "fp16");
        badInput("--conv must be winograd, winograd4 or direct, got 'fft'", "--conv", "fft");
        if (Devices.cudaCount() == 0) {
            badInput("--device cuda: libtorch 2.7.1 here sees no CUDA device", "--device", "cuda");
            badInput("--device cuda:1: libtorch 2.7.1 here sees no CUDA device", "--device", "cuda:1");
        }
    }

    @Test
    void autoIsTheCpuWithoutACudaLibtorch() {
        assumeTrue(Devices.cudaCount() == 0, "libtorch here sees a CUDA device");
        CliRun r = CliRun.run("--device", "auto", "bench", "--model", Fixtures.TINY_SD.toString(), "--quick",
                "--calls", "1", "--warmup", "0", "--height", "32", "--only", "unet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dtype float32, device cpu"), r.out());
    }

    /** The command fails with exit 2 and {@code message} on its error line, and writes nothing. */
    private void badInput(String message, String... options) {
        Path out = tmp.resolve("never");
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of("generate", "--model", Fixtures.TINY_SD.toString(), "--prompt", "a red star", "--steps", "1",
                "--height", "64", "--width", "64", "--out", out.resolve("x.png").toString()));
        CliRun r = CliRun.run(args);
        assertEquals(Main.EXIT_BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().lines().findFirst().orElse("").contains(message), r.err());
        assertFalse(Files.exists(out), "nothing written");
        assertEquals(DataType.FLOAT32, Runtime.selected().dtype());
    }
}
