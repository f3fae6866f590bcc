package dev.conceptprune.pipeline;

import java.io.PrintStream;

/** Prints one progress line per UNet call: call, seconds per call, estimated time left. */
public final class ProgressPrinter implements StepListener {
    private final PrintStream out;
    private final String label;
    private long start;

    public ProgressPrinter(PrintStream out, String label) {
        this.out = out;
        this.label = label;
    }

    @Override
    public void beforeUnetCall(int call, int totalCalls, float timestep) {
        long now = System.nanoTime();
        if (call == 0) {
            start = now;
            out.printf("%s: call 1/%d (t=%s)%n", label, totalCalls, formatT(timestep));
            return;
        }
        double perCall = (now - start) / 1e9 / call;
        out.printf("%s: call %d/%d (t=%s)  %.2f s/call  ETA %.0f s%n", label, call + 1, totalCalls,
                formatT(timestep), perCall, perCall * (totalCalls - call));
    }

    private static String formatT(float t) {
        return t == Math.rint(t) ? String.valueOf((long) t) : String.format("%.2f", t);
    }
}
