package dev.conceptprune.bench;

import com.google.gson.annotations.JsonAdapter;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.OmittedWhenNull;
import dev.conceptprune.runtime.MklIntelPath;
import dev.conceptprune.runtime.OpMeter;
import dev.conceptprune.runtime.ProcessMemory;
import dev.conceptprune.runtime.Runtime;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes benchmark results as text tables or as one JSON object keyed by component. */
public final class BenchReport {
    private static final double MB = 1 << 20;
    private static final String UNTIMED = "the timed calls took no measurable time";
    private static final int PEER_OPS_SHOWN = 8;

    private final MachinePeak machine;
    private final int threads;

    /** @param threads libtorch intra-op threads the measurements ran with */
    public BenchReport(MachinePeak machine, int threads) {
        this.machine = machine;
        this.threads = threads;
    }

    /** The machine line: peak and its inputs, threads, MKL's kernel choice. */
    private void machineText(PrintWriter o) {
        o.printf(Locale.ROOT, "machine: %d cores x %.2f GHz (%s) x %d FLOP/cycle (%s) = %.1f GFLOP/s fp32 peak; "
                        + "libtorch threads %d; MKL kernels %s%n", machine.cores(), machine.ghz(),
                machine.clockSource(), machine.flopPerCycle(), machine.isa(), machine.gflops(), threads,
                MklIntelPath.active() ? "intel (chosen as on Intel CPUs: the launcher's shim is preloaded)"
                        : "vendor (MKL's choice for this CPU's vendor)");
    }

    /**
     * The run's line, the machine line, then per component: times, FLOPs, achieved rate, the per-kind
     * profile and the memory trend.
     */
    public void componentsText(PrintWriter o, ComponentResults run) {
        o.printf("bench: %s, %dx%d, batch %d, dtype %s, device %s, convolutions %s%n", run.model(), run.height(),
                run.width(), run.batch(), run.dtype(), run.device(), Runtime.convAlgorithm().id());
        machineText(o);
        List<CallTimes> results = run.calls();
        o.printf("%-13s %-30s %10s %10s %11s %9s %6s %9s%n", "component", "input", "median ms", "min ms",
                "GFLOP/call", "GFLOP/s", "peak", "non-GEMM");
        boolean cpu = "cpu".equals(run.device());
        for (CallTimes r : results) {
            o.printf(Locale.ROOT, "%-13s %-30s %10.1f %10.1f %11.2f %9.1f %6s %8.1f%%%n", r.name(), r.input(),
                    r.medianMillis(), r.minMillis(), r.flopsPerCall() / 1e9, r.gflops(),
                    cpu ? String.format(Locale.ROOT, "%.1f%%", 100 * r.gflops() / machine.gflops()) : "-",
                    100 * r.outsideMatmulFraction());
        }
        if (!cpu) {
            o.println("peak: the machine line's peak is the CPU's; op times on a CUDA device are launch times "
                    + "(kernels run after their launch returns), only the call times are compute");
        }
        o.println("profile per call (metered op time; 'other' is the rest of the call: element-wise ops, copies, glue):");
        for (CallTimes r : results) {
            StringBuilder line = new StringBuilder(String.format("  %-13s", r.name()));
            double mean = java.util.Arrays.stream(r.millis()).average().orElse(0);
            double metered = 0;
            for (Map.Entry<OpMeter.Kind, CallTimes.KindTotals> e : r.kinds().entrySet()) {
                CallTimes.KindTotals k = e.getValue();
                double ms = k.millis() / r.calls();
                metered += ms;
                line.append(String.format(Locale.ROOT, " %s %.0f ms %.1f%%", kindName(e.getKey()), ms, 100 * ms / mean));
                if (k.flops() > 0) {
                    line.append(String.format(Locale.ROOT, " @ %.1f GFLOP/s", k.flops() / 1e6 / k.millis()));
                }
                line.append(';');
            }
            line.append(String.format(Locale.ROOT, " other %.0f ms %.1f%%; kernel-mode CPU %.1f%%", mean - metered,
                    100 * (mean - metered) / mean, 100 * r.kernelCpuFraction()));
            o.println(line);
        }
        if (results.stream().anyMatch(r -> r.kinds().containsKey(OpMeter.Kind.WINOGRAD))) {
            o.println("  winograd: 3x3 convolutions by Winograd's minimal filtering (--conv), counted at the direct "
                    + "convolution's FLOPs, so their rate, and a share of peak they are in, are effective rates");
        }
        if (run.peer() != null) {
            peerText(o, run.peer(), results.stream().filter(r -> r.name().equals("unet")).findFirst().orElseThrow());
        }
        for (CallTimes r : results) {
            long[] rss = r.rssAfterCall();
            o.printf(Locale.ROOT, "memory %-13s RSS after timed call 1: %.0f MB, after call %d: %.0f MB (%+.1f MB)%n",
                    r.name(), rss[0] / MB, rss.length, rss[rss.length - 1] / MB, (rss[rss.length - 1] - rss[0]) / MB);
        }
        o.printf(Locale.ROOT, "memory peaks: native resident (VmHWM) %.0f MB, Java heap %.0f MB%n",
                ProcessMemory.peakRss() / MB, ProcessMemory.heapPeak() / MB);
    }

    /** The peer's times beside ours, its agreement with ours and its own per-operator profile. */
    private void peerText(PrintWriter o, PeerTimes peer, CallTimes ours) {
        o.printf(Locale.ROOT, "peer unet (%s): median %.1f ms, min %.1f ms, %.1f GFLOP/s, %.1f%% of peak; ours/peer "
                        + "%.2fx (median); max |ours - peer| %.2e%n", peer.engine(), peer.medianMillis(),
                peer.minMillis(), peer.gflops(), 100 * peer.gflops() / machine.gflops(),
                ours.medianMillis() / peer.medianMillis(), peer.maxAbsDiff());
        StringBuilder line = new StringBuilder("  peer profile per call (its own operator times):");
        double mean = java.util.Arrays.stream(peer.millis()).average().orElse(0);
        peer.opMillis().entrySet().stream().limit(PEER_OPS_SHOWN).forEach(e -> line.append(String.format(Locale.ROOT,
                " %s %.0f ms %.1f%%;", e.getKey(), e.getValue(), 100 * e.getValue() / mean)));
        o.println(line);
    }

    /** The run's line, the machine line and the discovery comparison as text. */
    public void discoveryText(PrintWriter o, DiscoveryResults run) {
        o.printf("bench --discovery: %s, %d prompt pairs, tau %d, %d steps (model's scheduler), "
                + "guidance 7.5, %dx%d%n", run.model(), run.pairs(), run.tau(), run.steps(), run.height(), run.width());
        machineText(o);
        DiscoveryComparison c = run.comparison();
        int batch = run.batch();
        o.printf(Locale.ROOT, "early stop + batching (%d prompts per UNet batch): %.1f s, %d UNet calls%n", batch,
                c.fast().seconds(), c.fast().unetCalls());
        o.printf(Locale.ROOT, "reference (each prompt alone, all steps + VAE decode): %.1f s, %d UNet calls%n",
                c.reference().seconds(), c.reference().unetCalls());
        o.printf(Locale.ROOT, "speed-up %.1fx (UNet calls %.1fx fewer)%n", c.speedup(), c.callRatio());
        o.printf(Locale.ROOT, "column norms: max relative difference %.2e; masks: %d of %d weights differ%n",
                c.normRelDiff(), c.maskDiffer(), c.maskSize());
    }

    /** The run's line, the machine line and one line per discovery option with its time and mask agreement. */
    public void discoveryOptionsText(PrintWriter o, DiscoveryOptionsBench.Results run) {
        o.printf("bench --discovery-options: %s, %d prompt pairs, tau %d, %d steps (model's scheduler), "
                + "guidance 7.5, %dx%d; masks at skill ratio 0.01 on ff.net.2%n", run.model(), run.pairs(), run.tau(),
                run.steps(), run.height(), run.width());
        machineText(o);
        double base = run.rows().get(0).seconds();
        o.printf("%-44s %9s %6s %8s %10s %10s %8s%n", "option", "seconds", "calls", "speedup", "mask", "agreement",
                "recall");
        for (DiscoveryOptionsBench.Row r : run.rows()) {
            if (r.skipped() != null) {
                o.printf("%-44s not run: %s%n", r.option(), r.skipped());
            } else {
                o.printf(Locale.ROOT, "%-44s %9.2f %6d %7.2fx %10d %10.4f %8.4f%n", r.option(), r.seconds(),
                        r.unetCalls(), base / r.seconds(), r.maskWeights(), r.agreement(), r.recall());
            }
        }
        o.println("agreement: weights in both masks over weights in either; recall: the baseline mask's weights "
                + "also pruned");
    }

    /** One JSON object: {@code discovery_options}, {@code machine} and {@code model}. */
    public String discoveryOptionsJson(DiscoveryOptionsBench.Results results) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("discovery_options", results);
        root.put("machine", machineJson());
        root.put("model", results.model());
        return Json.pretty().toJson(root);
    }

    /**
     * A table of {@code runs} (oldest first), one row each: when, what, size, batch, threads, dtype, device, MKL's
     * kernel choice, the convolution algorithm, then each
     * component's median time and share of the fp32 peak, and the peak resident memory.
     */
    public static void compareText(PrintWriter o, List<BenchHistory.Run> runs) {
        List<String> names = new java.util.ArrayList<>();
        for (BenchHistory.Run r : runs) {
            r.components().forEach(c -> {
                if (!names.contains(c.name())) {
                    names.add(c.name());
                }
            });
        }
        StringBuilder head = new StringBuilder(String.format("%-20s %-34s %9s %5s %7s %7s %7s %6s %8s",
                "run (UTC)", "model", "size", "batch", "threads", "dtype", "device", "mkl", "conv"));
        names.forEach(n -> head.append(String.format(" %21s", n + " ms (peak)")));
        head.append(String.format(" %9s", "peak MB"));
        o.println(head);
        for (BenchHistory.Run r : runs) {
            String model = r.model().length() > 34 ? "..." + r.model().substring(r.model().length() - 31) : r.model();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                    "%-20s %-34s %9s %5d %7d %7s %7s %6s %8s", r.time(), model, r.height() + "x" + r.width(),
                    r.batch(), r.threads(), r.dtypeOrDefault(), r.deviceOrDefault(),
                    r.mklKernels() == null ? "-" : r.mklKernels(), r.convAlgorithmOrDefault()));
            for (String n : names) {
                BenchHistory.Component c = r.components().stream().filter(x -> x.name().equals(n)).findFirst()
                        .orElse(null);
                line.append(c == null ? String.format(" %21s", "-")
                        : String.format(Locale.ROOT, " %21s", String.format(Locale.ROOT, "%.1f (%s)", c.medianMs(),
                        c.peakFraction() == null ? "-" : String.format(Locale.ROOT, "%.1f%%",
                                100 * c.peakFraction()))));
            }
            line.append(String.format(Locale.ROOT, " %9.0f", r.vmHwmMb()));
            o.println(line);
        }
    }

    /**
     * One JSON object: a key per component, plus {@code machine}, {@code model}, {@code dtype}, {@code device} and
     * {@code conv_algorithm}.
     */
    public String componentsJson(ComponentResults results) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (CallTimes r : results.calls()) {
            root.put(r.name(), ComponentJson.of(r, "cpu".equals(results.device()) ? machine : null));
        }
        if (results.peer() != null) {
            CallTimes ours = results.calls().stream().filter(r -> r.name().equals("unet")).findFirst().orElseThrow();
            root.put("peer", PeerJson.of(results.peer(), ours, machine));
        }
        root.put("machine", machineJson());
        root.put("model", results.model());
        root.put("dtype", results.dtype());
        root.put("device", results.device());
        root.put("conv_algorithm", Runtime.convAlgorithm().id());
        return Json.pretty().toJson(root);
    }

    /** One JSON object: {@code discovery}, {@code machine} and {@code model}. */
    public String discoveryJson(DiscoveryResults results) {
        DiscoveryComparison c = results.comparison();
        Json.Undefined why = new Json.Undefined();
        DiscoveryJson d = new DiscoveryJson(round(c.fast().seconds(), 2), c.fast().unetCalls(), results.batch(),
                round(c.reference().seconds(), 2), c.reference().unetCalls(),
                why.figure("speedup", round(c.speedup(), 2), UNTIMED), round(c.callRatio(), 2),
                why.figure("norm_max_rel_diff", c.normRelDiff(), "no column norms to compare"), c.maskDiffer(),
                c.maskSize(), why.reasons());
        return Json.pretty().toJson(new DiscoveryRoot(d, machineJson(), results.model()));
    }

    private MachineJson machineJson() {
        return new MachineJson(machine.cores(), round(machine.ghz(), 3), machine.clockSource(), machine.flopPerCycle(),
                machine.isa(), round(machine.gflops(), 1), threads, MklIntelPath.kernelChoice(),
                round(ProcessMemory.peakRss() / MB, 1), round(ProcessMemory.heapPeak() / MB, 1));
    }

    private record MachineJson(int cores, double ghz, String clockSource, int flopPerCycle, String isa,
                               double peakGflops, int threads, String mklKernels, double vmHwmMb,
                               double heapPeakMb) {
    }

    private record KindJson(double msPerCall, double gflopPerCall, long opsPerCall) {
    }

    /** Rates over a time too short to measure (a call under the clock's resolution) are null, with the reason. */
    private record ComponentJson(double medianMs, double minMs, double gflopPerCall, Double gflops,
                                 Double peakFraction, Double nonGemmFraction, double kernelCpuFraction, int calls,
                                 String input, Map<String, KindJson> ops, double rssMbFirstCall,
                                 double rssMbLastCall,
                                 @JsonAdapter(value = OmittedWhenNull.class, nullSafe = false)
                                 Map<String, String> undefined) {
        /** {@code machine} is null for a run off the CPU, whose share of the CPU's peak is undefined. */
        static ComponentJson of(CallTimes r, MachinePeak machine) {
            Map<String, KindJson> kinds = new LinkedHashMap<>();
            r.kinds().forEach((k, t) -> kinds.put(kindName(k), new KindJson(round(t.millis() / r.calls(), 2),
                    round(t.flops() / 1e9 / r.calls(), 4), t.ops() / r.calls())));
            long[] rss = r.rssAfterCall();
            Json.Undefined why = new Json.Undefined();
            return new ComponentJson(round(r.medianMillis(), 2), round(r.minMillis(), 2),
                    round(r.flopsPerCall() / 1e9, 4), why.figure("gflops", round(r.gflops(), 2), UNTIMED),
                    machine == null ? why.figure("peak_fraction", Double.NaN, "the run was not on the CPU")
                            : why.figure("peak_fraction", round(r.gflops() / machine.gflops(), 4), UNTIMED),
                    why.figure("non_gemm_fraction", round(r.outsideMatmulFraction(), 4), UNTIMED),
                    round(r.kernelCpuFraction(), 4), r.calls(), r.input(), kinds, round(rss[0] / MB, 1),
                    round(rss[rss.length - 1] / MB, 1), why.reasons());
        }
    }

    /** The peer's figures; operator types become snake_case keys (FusedMatMul: fused_mat_mul). */
    private record PeerJson(String engine, double medianMs, double minMs, Double gflops, Double peakFraction,
                            Double oursOverPeer, Double maxAbsDiff, int calls, Map<String, Double> opMsPerCall,
                            @JsonAdapter(value = OmittedWhenNull.class, nullSafe = false)
                            Map<String, String> undefined) {
        static PeerJson of(PeerTimes p, CallTimes ours, MachinePeak machine) {
            Map<String, Double> ops = new LinkedHashMap<>();
            p.opMillis().forEach((k, v) -> ops.put(snake(k), round(v, 2)));
            Json.Undefined why = new Json.Undefined();
            return new PeerJson(p.engine(), round(p.medianMillis(), 2), round(p.minMillis(), 2),
                    why.figure("gflops", round(p.gflops(), 2), UNTIMED),
                    why.figure("peak_fraction", round(p.gflops() / machine.gflops(), 4), UNTIMED),
                    why.figure("ours_over_peer", round(ours.medianMillis() / p.medianMillis(), 4), UNTIMED),
                    why.figure("max_abs_diff", p.maxAbsDiff(), "a noise prediction was not finite"),
                    p.millis().length, ops, why.reasons());
        }

        private static String snake(String camel) {
            return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        }
    }

    private record DiscoveryJson(double fastSeconds, int fastUnetCalls, int fastBatch, double referenceSeconds,
                                 int referenceUnetCalls, Double speedup, double callRatio, Double normMaxRelDiff,
                                 long maskWeightsDiffering, long maskWeights,
                                 @JsonAdapter(value = OmittedWhenNull.class, nullSafe = false)
                                 Map<String, String> undefined) {
    }

    private record DiscoveryRoot(DiscoveryJson discovery, MachineJson machine, String model) {
    }

    private static String kindName(OpMeter.Kind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    /** {@code v} to {@code decimals} places; NaN and infinities stay as they are (Math.round would make them 0 or huge). */
    private static double round(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return v;
        }
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
