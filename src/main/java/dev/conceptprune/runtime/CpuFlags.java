package dev.conceptprune.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** The instruction-set flags the kernel reports for this CPU ({@code /proc/cpuinfo}). */
public final class CpuFlags {
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private CpuFlags() {
    }

    /**
     * True when the CPU computes bfloat16 products in hardware (avx512_bf16 or AMX's amx_bf16); without
     * either, libtorch emulates them and bf16 is slower than float32.
     */
    public static boolean hasBf16() {
        Set<String> flags = flags();
        return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
    }

    /** The first processor's flags; empty when the file is absent (not Linux). */
    static Set<String> flags() {
        try {
            return Files.readAllLines(CPUINFO).stream()
                    .filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))
                            .collect(Collectors.toSet()))
                    .orElse(Set.of());
        } catch (IOException e) {
            return Set.of();
        }
    }
}
