package dev.conceptprune.bench;

import com.google.gson.JsonParseException;
import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.MklIntelPath;
import dev.conceptprune.runtime.ProcessMemory;
import dev.conceptprune.runtime.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The figures of past component benchmarks, one JSON line per run in a file the user names, so that
 * runs made before and after a change (or with other settings) can be compared side by side.
 */
public final class BenchHistory {
    private BenchHistory() {
    }

    /**
     * One component's figures in a run.
     *
     * @param gflops       achieved rate, null when the calls took no measurable time
     * @param peakFraction the rate over the machine's fp32 peak, null likewise
     */
    public record Component(String name, double medianMs, Double gflops, Double peakFraction) {
    }

    /**
     * One run.
     *
     * @param time    when it ended (UTC, ISO 8601)
     * @param model   what was built
     * @param dtype   the compute dtype of the matrix products; absent (null) in runs recorded before it was
     *                recorded, which were all float32
     * @param device  where it ran; absent (null) in runs recorded before it was, which were all on the CPU
     * @param mklKernels how MKL chose its kernels ({@code intel} or {@code vendor}, see
     *                {@link MklIntelPath#kernelChoice()}); absent (null) in runs recorded before it was
     * @param convAlgorithm how float32 3x3 convolutions computed ({@code winograd} or {@code direct}); absent
     *                (null) in runs recorded before it was, which were all direct
     * @param vmHwmMb the process's peak resident memory
     */
    public record Run(String time, String model, int height, int width, int batch, int threads, String dtype,
                      String device, String mklKernels, String convAlgorithm, double peakGflops, double vmHwmMb,
                      List<Component> components) {
        public Run {
            components = components == null ? List.of() : List.copyOf(components);
        }

        /** The dtype, float32 for a run recorded before the dtype was. */
        public String dtypeOrDefault() {
            return dtype == null ? "float32" : dtype;
        }

        /** The device, cpu for a run recorded before the device was. */
        public String deviceOrDefault() {
            return device == null ? "cpu" : device;
        }

        /** The convolution algorithm, direct for a run recorded before it was. */
        public String convAlgorithmOrDefault() {
            return convAlgorithm == null ? ConvAlgorithm.DIRECT.id() : convAlgorithm;
        }
    }

    /** The run of {@code results}, measured on {@code machine} with {@code threads}, ended at {@code now}. */
    public static Run of(ComponentResults results, MachinePeak machine, int threads, Instant now) {
        List<Component> cs = new ArrayList<>();
        for (CallTimes c : results.calls()) {
            double g = c.gflops();
            boolean timed = Double.isFinite(g);
            // the share of the CPU's peak means nothing for a run on a CUDA device
            cs.add(new Component(c.name(), round(c.medianMillis()), timed ? round(g) : null,
                    timed && "cpu".equals(results.device()) ? g / machine.gflops() : null));
        }
        PeerTimes peer = results.peer();
        if (peer != null) {
            double g = peer.gflops();
            boolean timed = Double.isFinite(g);
            cs.add(new Component(peerName(peer), round(peer.medianMillis()), timed ? round(g) : null,
                    timed ? g / machine.gflops() : null));
        }
        return new Run(now.truncatedTo(ChronoUnit.SECONDS).toString(), results.model(), results.height(),
                results.width(), results.batch(), threads, results.dtype(), results.device(),
                MklIntelPath.kernelChoice(), Runtime.convAlgorithm().id(), round(machine.gflops()),
                round(ProcessMemory.peakRss() / (double) (1 << 20)), cs);
    }

    /** The history's name for a peer's UNet: {@code unet@} and the peer's id, a column of --compare's table. */
    static String peerName(PeerTimes peer) {
        return "unet@" + peer.id();
    }

    /**
     * The runs in {@code file}, oldest first; none when it does not exist.
     *
     * @throws InputException naming the file and line that is not a run
     */
    public static List<Run> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read the bench history: " + e.getMessage(), e);
        }
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                Run r = Json.compact().fromJson(lines.get(i), Run.class);
                if (r == null || r.model() == null || r.components().isEmpty()) {
                    throw new JsonParseException("no model or no components");
                }
                runs.add(r);
            } catch (JsonParseException e) {
                throw new InputException(file + " line " + (i + 1) + " is not a bench run (" + e.getMessage()
                        + "); give another --history file");
            }
        }
        return runs;
    }

    /** Appends {@code run} to {@code file} (the whole file rewritten atomically, so a killed run loses nothing). */
    public static void append(Path file, Run run) {
        StringBuilder b = new StringBuilder();
        for (Run r : read(file)) {
            b.append(Json.line(r)).append('\n');
        }
        b.append(Json.line(run)).append('\n');
        AtomicFiles.writeString(file, b.toString());
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
