package dev.conceptprune.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared object {@link MklIntelPath} writes is one the dynamic loader preloads and binds libtorch's
 * MKL vendor check to, and {@code bench} says which kernel choice a process runs with. Each case runs the
 * command line in a JVM of its own, as the launcher does, since preloading happens at process start.
 */
class MklIntelPathTest {
    private static final String BINDING = "normal symbol `mkl_serv_intel_cpu_true'";

    @Test
    void preloadedItAnswersMklsVendorCheck(@TempDir Path tmp) throws Exception {
        Path shim = tmp.resolve("native").resolve(MklIntelPath.FILE_NAME);
        MklIntelPath.write(shim);
        Path trace = tmp.resolve("ld");
        Child run = bench(tmp, Map.of("LD_PRELOAD", shim.toString(), "LD_DEBUG", "bindings",
                "LD_DEBUG_OUTPUT", trace.toString()));
        assertEquals(0, run.exit(), run.err());
        List<String> bindings = new ArrayList<>();
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("ld.")).toList()) {
                Files.readAllLines(f, StandardCharsets.ISO_8859_1).stream().filter(l -> l.contains(BINDING))
                        .forEach(bindings::add);
            }
        }
        assertTrue(bindings.stream().anyMatch(l -> l.contains("libtorch_cpu.so") && l.contains(" to " + shim)),
                "libtorch binds MKL's vendor check to the preloaded object: " + bindings);
        assertEquals("intel", machine(run).get("mkl_kernels").getAsString());
    }

    /** The build preloads the object it wrote into the test JVM (pom.xml), so the tests run MKL's Intel kernels. */
    @Test
    void theTestJvmRunsWithTheBuildsObject() {
        String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
        assertTrue(preload.contains(MklIntelPath.FILE_NAME), "Surefire preloads it: LD_PRELOAD=" + preload);
        assertTrue(MklIntelPath.active(), "the loader mapped " + preload);
        assertEquals("intel", MklIntelPath.kernelChoice());
    }

    @Test
    void withoutItMklChoosesByVendor(@TempDir Path tmp) throws Exception {
        Child run = bench(tmp, Map.of());
        assertEquals(0, run.exit(), run.err());
        assertEquals("vendor", machine(run).get("mkl_kernels").getAsString());
    }

    private record Child(int exit, String out, String err) {
    }

    /** {@code bench --quick} on the toy model's UNet in a fresh JVM with {@code env} (and no inherited preload). */
    private static Child bench(Path tmp, Map<String, String> env) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), "dev.conceptprune.cli.Main", "--threads", "1", "bench",
                "--quick", "--only", "unet", "--calls", "1", "--warmup", "0", "--json");
        pb.environment().remove("LD_PRELOAD");
        pb.environment().putAll(env);
        Path out = tmp.resolve("out.json");
        Path err = tmp.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the child bench did not end in 5 minutes");
        }
        return new Child(p.exitValue(), Files.readString(out), Files.readAllLines(err).stream()
                .collect(Collectors.joining("\n")));
    }

    private static JsonObject machine(Child run) {
        return JsonParser.parseString(run.out()).getAsJsonObject().getAsJsonObject("machine");
    }
}
