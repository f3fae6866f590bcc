package dev.conceptprune.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time this process spent in user and in kernel mode, from {@code /proc/self/stat}. Kernel
 * time during a forward pass is mostly page faults of freshly allocated tensors.
 */
public final class ProcessCpu {
    private static final Path STAT = Path.of("/proc/self/stat");
    /** Clock ticks per second of {@code /proc} times: USER_HZ, 100 on every Linux architecture we run on. */
    private static final double TICKS_PER_SECOND = 100;
    private static final int UTIME_AFTER_COMM = 11;

    private ProcessCpu() {
    }

    /** {user, kernel} CPU seconds so far, or {0, 0} where {@code /proc} is missing. */
    public static double[] userAndKernelSeconds() {
        try {
            String stat = Files.readString(STAT);
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new double[] {Long.parseLong(f[UTIME_AFTER_COMM]) / TICKS_PER_SECOND,
                Long.parseLong(f[UTIME_AFTER_COMM + 1]) / TICKS_PER_SECOND};
        } catch (IOException | RuntimeException e) {
            return new double[] {0, 0};
        }
    }
}
