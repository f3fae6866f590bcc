package dev.conceptprune.runtime;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory figures of this process and machine: resident set (now and peak) from
 * {@code /proc/self/status}, which covers libtorch's native tensors, the Java heap's peak, and
 * the memory available to new allocations from {@code /proc/meminfo}.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private ProcessMemory() {
    }

    /** Current resident set in bytes, or -1 where {@code /proc} is missing. */
    public static long rss() {
        return kibField(STATUS, "VmRSS:");
    }

    /** Peak resident set ("high water mark") in bytes, or -1 where {@code /proc} is missing. */
    public static long peakRss() {
        return kibField(STATUS, "VmHWM:");
    }

    /** MemAvailable in bytes, or -1 where the system does not say. */
    public static long availableBytes() {
        return kibField(MEMINFO, "MemAvailable:");
    }

    /**
     * The most native memory the JVM lets Java buffers hold ({@code -XX:MaxDirectMemorySize}, by
     * default the heap's maximum). Weights reach libtorch through such buffers, which stay allocated
     * as long as the tensor lives, so this bounds the weights a process can load.
     */
    public static long directLimitBytes() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long set = Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
            return set > 0 ? set : java.lang.Runtime.getRuntime().maxMemory();
        } catch (RuntimeException e) {
            return java.lang.Runtime.getRuntime().maxMemory();
        }
    }

    /** Sum of the heap pools' peak usage in bytes (an upper bound of the heap's peak). */
    public static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** The "key: N kB" line of a /proc file, in bytes; -1 when absent or unreadable. */
    private static long kibField(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | SecurityException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
