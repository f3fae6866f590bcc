package dev.conceptprune.bench;

import com.google.gson.GsonBuilder;
import dev.conceptprune.runtime.OpMeter;
import dev.conceptprune.runtime.ProcessMemory;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes benchmark results as text tables or as one JSON object keyed by component. */
public final class BenchReport {
    private static final double MB = 1 << 20;

    private final MachinePeak machine;
    private final int threads;

    /** @param threads libtorch intra-op threads the measurements ran with */
    public BenchReport(MachinePeak machine, int threads) {
        this.machine = machine;
        this.threads = threads;
    }

    /** The machine line: peak and its inputs, threads. */
    public void machineText(PrintWriter o) {
        o.printf(Locale.ROOT, "machine: %d cores x %.2f GHz (%s) x %d FLOP/cycle (%s) = %.1f GFLOP/s fp32 peak; "
                        + "libtorch threads %d%n", machine.cores(), machine.ghz(), machine.clockSource(),
                machine.flopPerCycle(), machine.isa(), machine.gflops(), threads);
    }

    /** Per component: times, FLOPs, achieved rate, the per-kind profile and the memory trend. */
    public void componentsText(PrintWriter o, List<CallTimes> results) {
        o.printf("%-13s %-30s %10s %10s %11s %9s %6s %9s%n", "component", "input", "median ms", "min ms",
                "GFLOP/call", "GFLOP/s", "peak", "non-GEMM");
        for (CallTimes r : results) {
            o.printf(Locale.ROOT, "%-13s %-30s %10.1f %10.1f %11.2f %9.1f %5.1f%% %8.1f%%%n", r.name(), r.input(),
                    r.medianMillis(), r.minMillis(), r.flopsPerCall() / 1e9, r.gflops(),
                    100 * r.gflops() / machine.gflops(), 100 * r.outsideMatmulFraction());
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
        for (CallTimes r : results) {
            long[] rss = r.rssAfterCall();
            o.printf(Locale.ROOT, "memory %-13s RSS after timed call 1: %.0f MB, after call %d: %.0f MB (%+.1f MB)%n",
                    r.name(), rss[0] / MB, rss.length, rss[rss.length - 1] / MB, (rss[rss.length - 1] - rss[0]) / MB);
        }
        o.printf(Locale.ROOT, "memory peaks: native resident (VmHWM) %.0f MB, Java heap %.0f MB%n",
                ProcessMemory.peakRss() / MB, ProcessMemory.heapPeak() / MB);
    }

    /** The discovery comparison as text. */
    public void discoveryText(PrintWriter o, DiscoveryComparison c, int batch) {
        o.printf(Locale.ROOT, "early stop + batching (%d prompts per UNet batch): %.1f s, %d UNet calls%n", batch,
                c.fast().seconds(), c.fast().unetCalls());
        o.printf(Locale.ROOT, "reference (each prompt alone, all steps + VAE decode): %.1f s, %d UNet calls%n",
                c.reference().seconds(), c.reference().unetCalls());
        o.printf(Locale.ROOT, "speed-up %.1fx (UNet calls %.1fx fewer)%n", c.speedup(), c.callRatio());
        o.printf(Locale.ROOT, "column norms: max relative difference %.2e; masks: %d of %d weights differ%n",
                c.normRelDiff(), c.maskDiffer(), c.maskSize());
    }

    /** One JSON object: a key per component, plus {@code machine}. */
    public String componentsJson(List<CallTimes> results, String model) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (CallTimes r : results) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("median_ms", round(r.medianMillis(), 2));
            c.put("min_ms", round(r.minMillis(), 2));
            c.put("gflop_per_call", round(r.flopsPerCall() / 1e9, 4));
            c.put("gflops", round(r.gflops(), 2));
            c.put("peak_fraction", round(r.gflops() / machine.gflops(), 4));
            c.put("non_gemm_fraction", round(r.outsideMatmulFraction(), 4));
            c.put("kernel_cpu_fraction", round(r.kernelCpuFraction(), 4));
            c.put("calls", r.calls());
            c.put("input", r.input());
            Map<String, Object> kinds = new LinkedHashMap<>();
            r.kinds().forEach((k, t) -> kinds.put(kindName(k), Map.of("ms_per_call", round(t.millis() / r.calls(), 2),
                    "gflop_per_call", round(t.flops() / 1e9 / r.calls(), 4), "ops_per_call", t.ops() / r.calls())));
            c.put("ops", kinds);
            long[] rss = r.rssAfterCall();
            c.put("rss_mb_first_call", round(rss[0] / MB, 1));
            c.put("rss_mb_last_call", round(rss[rss.length - 1] / MB, 1));
            root.put(r.name(), c);
        }
        root.put("machine", machineJson());
        root.put("model", model);
        return new GsonBuilder().setPrettyPrinting().create().toJson(root);
    }

    /** One JSON object: {@code discovery} and {@code machine}. */
    public String discoveryJson(DiscoveryComparison c, int batch, String model) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("fast_seconds", round(c.fast().seconds(), 2));
        d.put("fast_unet_calls", c.fast().unetCalls());
        d.put("fast_batch", batch);
        d.put("reference_seconds", round(c.reference().seconds(), 2));
        d.put("reference_unet_calls", c.reference().unetCalls());
        d.put("speedup", round(c.speedup(), 2));
        d.put("call_ratio", round(c.callRatio(), 2));
        d.put("norm_max_rel_diff", c.normRelDiff());
        d.put("mask_weights_differing", c.maskDiffer());
        d.put("mask_weights", c.maskSize());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("discovery", d);
        root.put("machine", machineJson());
        root.put("model", model);
        return new GsonBuilder().setPrettyPrinting().create().toJson(root);
    }

    private Map<String, Object> machineJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", machine.cores());
        m.put("ghz", round(machine.ghz(), 3));
        m.put("clock_source", machine.clockSource());
        m.put("flop_per_cycle", machine.flopPerCycle());
        m.put("isa", machine.isa());
        m.put("peak_gflops", round(machine.gflops(), 1));
        m.put("threads", threads);
        m.put("vm_hwm_mb", round(ProcessMemory.peakRss() / MB, 1));
        m.put("heap_peak_mb", round(ProcessMemory.heapPeak() / MB, 1));
        return m;
    }

    private static String kindName(OpMeter.Kind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
