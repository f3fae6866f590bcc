package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.runtime.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --json} prints one parseable object with the documented keys; no timing is asserted. */
class BenchCommandTest {
    private int threadsBefore;
    private String threadsPropertyBefore;

    @BeforeEach
    void rememberThreads() {
        // loads libtorch's natives when this class runs first in its JVM
        Runtime.newHostManager().close();
        threadsBefore = JniUtils.getNumThreads();
        threadsPropertyBefore = System.getProperty(Runtime.THREADS_PROPERTY);
    }

    /** {@code --threads 1} must not slow the tests that run after these in the same JVM. */
    @AfterEach
    void restoreThreads() {
        JniUtils.setNumThreads(threadsBefore);
        if (threadsPropertyBefore == null) {
            System.clearProperty(Runtime.THREADS_PROPERTY);
        } else {
            System.setProperty(Runtime.THREADS_PROPERTY, threadsPropertyBefore);
        }
    }

    @Test
    void quickJsonHasEveryComponentAndTheMachine() {
        JsonObject root = run("bench", "--model", Fixtures.TINY_SD.toString(), "--quick", "--json", "--calls", "1",
                "--warmup", "0", "--height", "32", "--threads", "1");
        for (String component : List.of("text_encoder", "unet", "vae_decoder")) {
            JsonObject c = root.getAsJsonObject(component);
            for (String key : List.of("median_ms", "min_ms", "gflop_per_call", "gflops", "peak_fraction")) {
                assertTrue(c.has(key), component + " has " + key);
            }
            assertTrue(c.get("gflop_per_call").getAsDouble() > 0, component + " counts FLOPs");
        }
        JsonObject machine = root.getAsJsonObject("machine");
        assertEquals(1, machine.get("threads").getAsInt());
        assertTrue(machine.get("peak_gflops").getAsDouble() > 0);
        assertTrue(machine.get("vm_hwm_mb").getAsDouble() != 0);
        assertTrue(List.of("intel", "vendor").contains(machine.get("mkl_kernels").getAsString()),
                "MKL's kernel choice: " + machine);
    }

    /**
     * ONNX Runtime's UNet, timed after ours on the same tiny weights and inputs, computes the same
     * noise prediction (measured 1.1e-6 for both attention forms) and reports its own operators.
     */
    @Test
    void peerTimesOnnxRuntimeOnTheSameWeightsAndAgreesWithOurs(@TempDir Path tmp) throws IOException {
        Path history = tmp.resolve("runs.jsonl");
        for (String peer : List.of("ort", "ort-mha")) {
            JsonObject root = run("bench", "--model", Fixtures.TINY_SD.toString(), "--only", "unet", "--json",
                    "--calls", "1", "--warmup", "0", "--height", "64", "--threads", "1", "--peer", peer,
                    "--history", history.toString());
            JsonObject p = root.getAsJsonObject("peer");
            assertTrue(p.get("engine").getAsString().startsWith("ONNX Runtime "), p.toString());
            assertTrue(p.get("max_abs_diff").getAsDouble() < 1e-5, peer + ": " + p);
            assertTrue(p.get("median_ms").getAsDouble() > 0, p.toString());
            assertEquals(root.getAsJsonObject("unet").get("gflop_per_call").getAsDouble() * 1e3
                    / p.get("median_ms").getAsDouble(), p.get("gflops").getAsDouble(), 0.01 + 1e-3
                    * p.get("gflops").getAsDouble(), "the peer's rate counts our FLOPs over its time");
            JsonObject ops = p.getAsJsonObject("op_ms_per_call");
            assertTrue(ops.has("conv") && ops.has(peer.equals("ort") ? "softmax" : "multi_head_attention"),
                    ops.toString());
        }
        List<String> runs = Files.readAllLines(history);
        assertEquals(2, runs.size());
        assertTrue(runs.get(0).contains("\"name\":\"unet@ort\"") && runs.get(1).contains("\"name\":\"unet@ort-mha\""),
                "--history records the peer as a component of its own: " + runs);
    }

    /** SDXL's VAE alone (nothing else is built), whole and in 32-pixel tiles: 3 x 3 tiles of 4, 4 and 2 latents. */
    @Test
    void sdxlPresetTimesOnlyTheVaeDecoderAndTilesCostTheirOverlap() {
        String[] common = {"bench", "--preset", "sdxl", "--only", "vae_decoder", "--json", "--calls", "1", "--warmup",
            "0", "--height", "64", "--threads", "1"};
        JsonObject whole = run(common);
        List<String> tiledArgs = new java.util.ArrayList<>(List.of(common));
        tiledArgs.addAll(List.of("--vae-tiling", "32"));
        JsonObject tiled = run(tiledArgs.toArray(new String[0]));
        assertEquals(List.of("vae_decoder", "machine", "model", "dtype", "device", "conv_algorithm"),
                List.copyOf(tiled.keySet()));
        assertEquals("winograd", tiled.get("conv_algorithm").getAsString());
        assertEquals("cpu", tiled.get("device").getAsString());
        assertTrue(tiled.get("model").getAsString().contains("stable-diffusion-xl-base-1.0"));
        JsonObject t = tiled.getAsJsonObject("vae_decoder");
        assertTrue(t.get("input").getAsString().endsWith("64x64, 32-pixel tiles"), t.toString());
        double ratio = t.get("gflop_per_call").getAsDouble()
                / whole.getAsJsonObject("vae_decoder").get("gflop_per_call").getAsDouble();
        System.out.printf("SDXL VAE decode at 64x64: 32-pixel tiles cost %.2fx the whole decode's FLOPs%n", ratio);
        // 80 x 80 decoded pixels for 64 x 64: 1.56x the convolutions (measured 1.56; attention is negligible here).
        assertTrue(ratio > 1.45 && ratio < 1.7, "tiled FLOPs / whole FLOPs = " + ratio);
    }

    @Test
    void discoveryFindsTheReferenceStatisticsWithFewerCalls() {
        JsonObject d = run("bench", "--discovery", "--model", Fixtures.TINY_SD.toString(), "--json", "--steps", "4",
                "--tau", "2", "--batch", "8", "--threads", "1").getAsJsonObject("discovery");
        assertEquals(2, d.get("fast_unet_calls").getAsInt());
        assertTrue(d.get("reference_unet_calls").getAsInt() >= 8 * 4);
        // measured 1.2e-6
        assertTrue(d.get("norm_max_rel_diff").getAsDouble() <= 2e-5, d.toString());
        assertEquals(0, d.get("mask_weights_differing").getAsInt(), d.toString());
    }

    /**
     * Every option gets a row against the baseline; batching keeps the mask (measured: the same mask on the toy
     * model and tiny-sd), halving the size moves most of it (measured agreement 0.20-0.34), half the pairs or
     * half of tau give fewer UNet calls.
     */
    @Test
    void discoveryOptionsCompareEachOptionsMaskWithTheBaseline() {
        JsonObject d = run("bench", "--discovery-options", "--quick", "--json", "--steps", "4", "--tau", "2",
                "--batch", "4").getAsJsonObject("discovery_options");
        JsonArray rows = d.getAsJsonArray("rows");
        assertEquals(6, rows.size());
        JsonObject base = rows.get(0).getAsJsonObject();
        assertEquals(1.0, base.get("agreement").getAsDouble());
        assertEquals(32, base.get("unet_calls").getAsInt(), "8 pairs x 2 prompts x tau 2, one prompt per batch");
        JsonObject batch = rows.get(1).getAsJsonObject();
        assertEquals("batch 4", batch.get("option").getAsString());
        assertEquals(8, batch.get("unet_calls").getAsInt());
        assertEquals(base.get("mask_weights").getAsLong(), batch.get("mask_weights").getAsLong());
        assertTrue(batch.get("recall").getAsDouble() >= 0.99, batch.toString());
        JsonObject half = rows.get(2).getAsJsonObject();
        assertEquals("size 32x32", half.get("option").getAsString());
        assertTrue(half.get("agreement").getAsDouble() < 0.6, half.toString());
        assertEquals(16, rows.get(3).getAsJsonObject().get("unet_calls").getAsInt());
        assertEquals(16, rows.get(4).getAsJsonObject().get("unet_calls").getAsInt());
        for (int i = 1; i < rows.size(); i++) {
            double a = rows.get(i).getAsJsonObject().get("agreement").getAsDouble();
            assertTrue(a >= 0 && a <= 1, rows.get(i).toString());
        }
    }

    @Test
    void historyKeepsEveryRunAndCompareShowsTheLastOnes(@TempDir Path tmp) throws IOException {
        Path history = tmp.resolve("runs.jsonl");
        String[] args = {"bench", "--model", Fixtures.TINY_SD.toString(), "--quick", "--calls", "1", "--warmup", "0",
            "--height", "32", "--only", "unet", "--history", history.toString()};
        CliRun first = CliRun.run(args);
        assertEquals(0, first.code(), first.err());
        List<String> more = new ArrayList<>(List.of(args));
        more.addAll(List.of("--batch", "1", "--conv", "direct", "--compare", "--dtype", "bf16"));
        boolean bf16 = dev.conceptprune.runtime.CpuFlags.hasBf16();
        if (!bf16) {
            more.remove(more.size() - 1);
            more.remove(more.size() - 1);
        }
        CliRun second = CliRun.run(more);
        assertEquals(0, second.code(), second.err());
        List<String> lines = Files.readAllLines(history);
        assertEquals(2, lines.size());
        JsonObject run = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertEquals(1, run.get("batch").getAsInt());
        assertEquals(bf16 ? "bf16" : "float32", run.get("dtype").getAsString());
        assertEquals("cpu", run.get("device").getAsString());
        assertEquals("direct", run.get("conv_algorithm").getAsString());
        assertEquals("winograd", JsonParser.parseString(lines.get(0)).getAsJsonObject().get("conv_algorithm")
                .getAsString(), "the setting lasts one command");
        assertEquals("unet", run.getAsJsonArray("components").get(0).getAsJsonObject().get("name").getAsString());
        String out = second.out();
        String table = out.substring(out.indexOf("run (UTC)"));
        assertEquals(3, table.strip().split("\n").length, "a header and both runs: " + table);
        assertTrue(table.contains("unet ms (peak)") && table.contains("device") && table.contains(" conv"), table);
        assertTrue(table.contains(" winograd ") && table.contains(" direct "), table);

        Files.writeString(history, "not a run\n");
        CliRun bad = CliRun.run(args);
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("error: --history: " + history + " line 1 is not a bench run"), bad.err());
        assertEquals("not a run\n", Files.readString(history), "the file is untouched");
    }

    private static JsonObject run(String... args) {
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }
}
