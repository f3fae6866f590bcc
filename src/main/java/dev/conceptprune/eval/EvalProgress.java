package dev.conceptprune.eval;

import dev.conceptprune.pipeline.StepListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of an evaluation on stderr: images generated of those to generate, seconds per
 * image and time left. A batch can take minutes on a CPU, so sampling steps are reported too,
 * at most every {@link #STEP_INTERVAL_S} seconds.
 */
public final class EvalProgress {
    private static final double STEP_INTERVAL_S = 15;

    private final PrintWriter err;
    private final int total;
    private final long start = System.nanoTime();
    private int done;
    private long lastLine = System.nanoTime();

    /** Progress towards {@code total} images to generate. */
    public EvalProgress(PrintWriter err, int total) {
        this.err = err;
        this.total = total;
    }

    /** Prints a line. */
    public void say(String format, Object... args) {
        err.println("eval: " + String.format(Locale.ROOT, format, args));
        err.flush();
        lastLine = System.nanoTime();
    }

    /** A listener for the batch of {@code count} images that comes next. */
    public StepListener batch(String model, int count) {
        int first = done + 1;
        return (call, calls, t) -> {
            if (seconds(lastLine) >= STEP_INTERVAL_S) {
                say("%s: images %d-%d of %d, step %d/%d", model, first, first + count - 1, total, call + 1, calls);
            }
        };
    }

    /** Counts {@code count} images as generated and prints the rate and time left. */
    public void generated(String model, int count) {
        done += count;
        double perImage = seconds(start) / done;
        say("%d/%d images generated (%s)  %.1f s/image  ETA %s", done, total, model, perImage,
                duration(perImage * (total - done)));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String duration(double s) {
        long r = Math.round(s);
        return r < 60 ? r + " s" : r < 3600 ? String.format(Locale.ROOT, "%d min %02d s", r / 60, r % 60)
                : String.format(Locale.ROOT, "%d h %02d min", r / 3600, r % 3600 / 60);
    }
}
