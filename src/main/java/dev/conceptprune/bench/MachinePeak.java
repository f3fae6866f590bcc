package dev.conceptprune.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The machine's float32 peak: cores x clock x FLOP per cycle and core, each with where it came
 * from. FLOP per cycle follows the widest FMA the ISA flags announce (AVX-512: 2 FMA units x 16
 * lanes x 2 = 64; AVX2+FMA: 32; else 8), except on AMD family 25 with AVX-512 (Zen 4), whose FMA units are
 * 256 bits wide and run AVX-512 in two halves: 32.
 *
 * @param cores processors the OS gives this process
 * @param ghz clock in GHz
 * @param clockSource where the clock was read
 * @param flopPerCycle float32 FLOP per cycle and core
 * @param isa the deciding ISA facts
 */
public record MachinePeak(int cores, double ghz, String clockSource, int flopPerCycle, String isa) {
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static final Path MAX_FREQ = Path.of("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    private static final int AMD_ZEN4_FAMILY = 25;

    /** Peak float32 GFLOP/s of all cores. */
    public double gflops() {
        return cores * ghz * flopPerCycle;
    }

    /** Reads the running machine; unknown parts fall back to 1 GHz / 8 FLOP per cycle and say so. */
    public static MachinePeak detect() {
        int cores = Runtime.getRuntime().availableProcessors();
        List<String> cpuinfo = lines(CPUINFO);
        double ghz;
        String source;
        List<String> maxFreq = lines(MAX_FREQ);
        if (!maxFreq.isEmpty()) {
            ghz = Double.parseDouble(maxFreq.get(0).trim()) / 1e6;
            source = MAX_FREQ.toString();
        } else {
            double mhz = cpuinfo.stream().filter(l -> l.startsWith("cpu MHz"))
                    .mapToDouble(l -> Double.parseDouble(value(l))).max().orElse(0);
            ghz = mhz > 0 ? mhz / 1000 : 1.0;
            source = mhz > 0 ? CPUINFO + " cpu MHz" : "unknown (assumed 1 GHz)";
        }
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
        return new MachinePeak(cores, ghz, source, perCycle, isa);
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
