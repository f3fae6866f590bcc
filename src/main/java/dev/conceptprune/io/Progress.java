package dev.conceptprune.io;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Progress of long work on stderr, the one reporter every command uses. On a terminal a task
 * redraws a single line, cut to the terminal's width so that the carriage return always reaches its
 * start; elsewhere (logs, CI, pipes) it prints a line at most every {@link #LINE_INTERVAL_NS}
 * nanoseconds, plus the first and the last. The ETA counts only the work done by this process, so
 * a resumed run does not look faster than it is. Warnings go through here too, so that they never
 * land in the middle of a progress line.
 */
public final class Progress {
    /** Minimum spacing of progress lines when the output is not a terminal: 10 s. */
    static final long LINE_INTERVAL_NS = 10_000_000_000L;
    private static final int DEFAULT_COLUMNS = 80;

    private final PrintWriter out;
    private final boolean terminal;
    private final int columns;
    private final boolean quiet;
    private final LongSupplier clock;
    private final Set<String> warned = new HashSet<>();
    private boolean lineOpen;

    Progress(PrintWriter out, boolean terminal, int columns, boolean quiet, LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.columns = columns;
        this.quiet = quiet;
        this.clock = clock;
    }

    /** A reporter on {@code out}; redraws one line only when the process's stderr is a terminal. */
    public static Progress to(PrintWriter out, boolean quiet) {
        boolean terminal = stderrIsTerminal();
        return new Progress(out, terminal, terminal ? terminalColumns() : DEFAULT_COLUMNS, quiet, System::nanoTime);
    }

    /** A reporter that prints nothing. */
    public static Progress silent() {
        return new Progress(new PrintWriter(PrintWriter.nullWriter()), false, DEFAULT_COLUMNS, true, System::nanoTime);
    }

    /**
     * Whether file descriptor 2 is a terminal. {@link System#console()} asks about stdin and stdout, so
     * {@code 2> log} with a terminal on stdout would fill the log with carriage returns.
     */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /** The terminal's width: $COLUMNS when exported, else what {@code stty size} says, else 80. */
    private static int terminalColumns() {
        try {
            String env = System.getenv("COLUMNS");
            if (env != null && env.strip().matches("[1-9][0-9]*")) {
                return Integer.parseInt(env.strip());
            }
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip()
                    .split("\\s+");
            if (stty.waitFor() == 0 && size.length == 2 && size[1].matches("[1-9][0-9]*")) {
                return Integer.parseInt(size[1]);
            }
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_COLUMNS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_COLUMNS;
    }

    /**
     * Prints {@code warning: message} once per distinct message, also when quiet: a warning is about
     * the results, not the progress.
     */
    public void warn(String message) {
        if (!warned.add(message)) {
            return;
        }
        endLine();
        out.println("warning: " + message);
        out.flush();
    }

    /** Prints a message line (not throttled); dropped when quiet. */
    public void say(String format, Object... args) {
        if (quiet) {
            return;
        }
        endLine();
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    /**
     * Starts a task of {@code total} units (named {@code unit}, e.g. "image") of which {@code alreadyDone} were finished by an
     * earlier run (resumed work: counted as done, left out of the rate).
     */
    public Task task(String label, String unit, long total, long alreadyDone) {
        return new Task(label, unit, total, alreadyDone);
    }

    private void endLine() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    /** One piece of long work with a unit count. */
    public final class Task {
        private final String label;
        private final String unit;
        private final long total;
        private final long resumed;
        private final long start = clock.getAsLong();
        private long done;
        private long lastLine = Long.MIN_VALUE;
        private String detail = "";
        private String lastText = "";

        private Task(String label, String unit, long total, long resumed) {
            this.label = label;
            this.unit = unit;
            this.total = total;
            this.resumed = resumed;
            this.done = resumed;
        }

        /** Units finished so far, resumed ones included. */
        public long done() {
            return done;
        }

        /** Counts {@code units} more as finished and reports. */
        public void advance(long units) {
            done = Math.min(total, done + units);
            report(done == total);
        }

        /** Reports a sub-step (e.g. the UNet call within a batch) without counting units. */
        public void detail(String text) {
            detail = text.isEmpty() ? "" : " (" + text + ")";
            report(false);
        }

        /** Seconds per unit measured in this process, or NaN before the first unit. */
        public double secondsPerUnit() {
            long fresh = done - resumed;
            return fresh <= 0 ? Double.NaN : (clock.getAsLong() - start) / 1e9 / fresh;
        }

        /** Writes the final line of the task. */
        public void finish() {
            report(true);
            endLine();
        }

        private void report(boolean force) {
            if (quiet) {
                return;
            }
            long now = clock.getAsLong();
            if (!terminal && !force && lastLine != Long.MIN_VALUE && now - lastLine < LINE_INTERVAL_NS) {
                return;
            }
            String line = String.format(Locale.ROOT, "%s: %d/%d %ss%s%s", label, done, total, unit, detail, eta());
            if (line.equals(lastText)) {
                return; // e.g. finish() right after the last advance()
            }
            lastLine = now;
            lastText = line;
            if (terminal) {
                // One column short of the width: a line that fills the last column wraps on some terminals.
                String shown = line.length() < columns ? line : line.substring(0, Math.max(0, columns - 1));
                out.print("\r" + shown + "\u001b[K");
                lineOpen = true;
            } else {
                out.println(line);
            }
            out.flush();
        }

        private String eta() {
            double per = secondsPerUnit();
            if (Double.isNaN(per)) {
                return "";
            }
            return String.format(Locale.ROOT, "  %s/%s  ETA %s", duration(per), unit, duration(per * (total - done)));
        }
    }

    /** A duration for people: {@code 4.2 s}, {@code 3 min 05 s}, {@code 2 h 10 min}. */
    public static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        long r = Math.round(seconds);
        return r < 3600 ? String.format(Locale.ROOT, "%d min %02d s", r / 60, r % 60)
                : String.format(Locale.ROOT, "%d h %02d min", r / 3600, r % 3600 / 60);
    }
}
