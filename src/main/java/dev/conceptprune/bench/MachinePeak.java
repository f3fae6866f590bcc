package dev.conceptprune.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The machine's float32 peak: cores x clock x FLOP per cycle and core, each with where it came
 * from. FLOP per cycle follows the widest FMA the ISA flags announce (AVX-512: 2 FMA units x 16
 * lanes x 2 = 64; AVX2+FMA: 32; else 8), except on AMD family 25 with AVX-512 (Zen 4), whose
 * FMA units are 256 bits wide and run AVX-512 in two halves: 32. The clock is the larger of the
 * nominal one the OS reports and one measured with a chain of dependent integer operations:
 * virtual machines report the nominal clock, while the cores run at their boost clock.
 *
 * @param cores processors the OS gives this process
 * @param ghz clock in GHz
 * @param clockSource the clock readings it was taken from
 * @param flopPerCycle float32 FLOP per cycle and core
 * @param isa the deciding ISA facts
 */
public record MachinePeak(int cores, double ghz, String clockSource, int flopPerCycle, String isa) {
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static final Path MAX_FREQ = Path.of("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    private static final int AMD_ZEN4_FAMILY = 25;
    private static final int CLOCK_RUNS = 8;
    private static final long CLOCK_ITERATIONS = 20_000_000L;
    /** Keeps the measuring chain's result alive, so that the JIT cannot drop the loop. */
    private static volatile long sink;

    /** Peak float32 GFLOP/s of all cores. */
    public double gflops() {
        return cores * ghz * flopPerCycle;
    }

    /** Reads the running machine; an unknown ISA counts as 8 FLOP per cycle. */
    public static MachinePeak detect() {
        int cores = Runtime.getRuntime().availableProcessors();
        List<String> cpuinfo = lines(CPUINFO);
        double nominal;
        String source;
        List<String> maxFreq = lines(MAX_FREQ);
        if (!maxFreq.isEmpty()) {
            nominal = Double.parseDouble(maxFreq.get(0).trim()) / 1e6;
            source = MAX_FREQ.toString();
        } else {
            double mhz = cpuinfo.stream().filter(l -> l.startsWith("cpu MHz"))
                    .mapToDouble(l -> Double.parseDouble(value(l))).max().orElse(0);
            nominal = mhz / 1000;
            source = CPUINFO + " cpu MHz";
        }
        double measured = measureGhz();
        double ghz = Math.max(nominal, measured);
        String clock = String.format(java.util.Locale.ROOT, "%s %.2f, measured %.2f", source, nominal, measured);
        Set<String> flags = Set.of(field(cpuinfo, "flags").split("\\s+"));
        String vendor = field(cpuinfo, "vendor_id");
        String family = field(cpuinfo, "cpu family");
        int perCycle;
        String isa;
        if (flags.contains("avx512f")) {
            boolean halfWidth = vendor.equals("AuthenticAMD") && family.equals(String.valueOf(AMD_ZEN4_FAMILY));
            perCycle = halfWidth ? 32 : 64;
            isa = halfWidth ? "avx512f on AMD family 25 (256-bit FMA units)" : "avx512f";
        } else if (flags.contains("avx2") && flags.contains("fma")) {
            perCycle = 32;
            isa = "avx2+fma";
        } else {
            perCycle = 8;
            isa = cpuinfo.isEmpty() ? "unknown" : "no avx2+fma";
        }
        return new MachinePeak(cores, ghz, clock, perCycle, isa);
    }

    /**
     * Cycles per second of {@code x += x >>> 3}: a shift and an add, two cycles of latency on
     * every x86 core, that no compiler can overlap. The best of several runs, as other load can
     * only slow a run down.
     */
    private static double measureGhz() {
        double best = 0;
        long x = System.nanoTime();
        for (int run = 0; run < CLOCK_RUNS; run++) {
            long start = System.nanoTime();
            x = shiftAddChain(x, CLOCK_ITERATIONS);
            best = Math.max(best, 2.0 * CLOCK_ITERATIONS / (System.nanoTime() - start));
        }
        sink = x;
        return best;
    }

    /** A method of its own so that later runs use the fully compiled loop, not an on-stack replacement. */
    private static long shiftAddChain(long x, long iterations) {
        long v = x;
        for (long i = 0; i < iterations; i++) {
            v += v >>> 3;
        }
        return v;
    }

    private static String field(List<String> cpuinfo, String key) {
        return cpuinfo.stream().filter(l -> l.startsWith(key + "\t") || l.startsWith(key + " "))
                .map(MachinePeak::value).findFirst().orElse("");
    }

    private static String value(String line) {
        int colon = line.indexOf(':');
        return colon < 0 ? "" : line.substring(colon + 1).trim();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }
}
