package dev.conceptprune.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The progress reporter on a fake clock: line spacing, resumed work in the ETA, quiet, terminal redraws. */
class ProgressTest {
    private static final long SECOND = 1_000_000_000L;

    private final StringWriter text = new StringWriter();
    private long now;

    private Progress progress(boolean terminal, boolean quiet) {
        return new Progress(new PrintWriter(text), terminal, 40, quiet, () -> now);
    }

    @Test
    void logLinesAreSpacedButTheLastIsWrittenOnce() {
        Progress.Task t = progress(false, false).task("gen", "image", 3, 0);
        now += SECOND;
        t.advance(1);
        now += SECOND;
        t.advance(1);
        now += SECOND;
        t.advance(1);
        t.finish();
        assertEquals(String.join("\n", "gen: 1/3 images  1.0 s/image  ETA 2.0 s",
                "gen: 3/3 images  1.0 s/image  ETA 0.0 s", ""),
                text.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void aLineIsWrittenAgainOnceTheIntervalHasPassed() {
        Progress.Task t = progress(false, false).task("gen", "image", 10, 0);
        now += SECOND;
        t.advance(1);
        now += Progress.LINE_INTERVAL_NS;
        t.advance(1);
        assertEquals(2, text.toString().lines().count(), text.toString());
    }

    @Test
    void resumedUnitsCountAsDoneButNotInTheRate() {
        Progress.Task t = progress(false, false).task("discovery", "prompt", 10, 6);
        assertTrue(Double.isNaN(t.secondsPerUnit()));
        now += 2 * SECOND;
        t.advance(1);
        assertEquals(7, t.done());
        assertEquals(2.0, t.secondsPerUnit());
        assertEquals("discovery: 7/10 prompts  2.0 s/prompt  ETA 6.0 s", text.toString().strip());
    }

    @Test
    void quietPrintsNothing() {
        Progress p = progress(false, true);
        p.say("hello %d", 1);
        Progress.Task t = p.task("gen", "image", 2, 0);
        t.advance(2);
        t.finish();
        assertEquals("", text.toString());
    }

    @Test
    void aTerminalRedrawsOneLineAndAMessageEndsIt() {
        Progress p = progress(true, false);
        Progress.Task t = p.task("gen", "image", 2, 0);
        t.detail("call 1/5");
        p.say("done");
        String s = text.toString();
        assertTrue(s.startsWith("\rgen: 0/2 images (call 1/5)\u001b[K"), s);
        assertTrue(s.endsWith(System.lineSeparator() + "done" + System.lineSeparator()), s);
    }

    @Test
    void aTerminalLineNeverReachesTheLastColumn() {
        Progress p = progress(true, false);
        Progress.Task t = p.task("a label long enough to wrap", "image", 2, 0);
        t.detail("model-with-a-long-name, UNet call 1/6 of 5 steps");
        for (String update : text.toString().split("\r")) {
            String shown = update.replace("\u001b[K", "");
            assertTrue(shown.length() < 40, "fits 40 columns: " + shown);
        }
    }

    @Test
    void aWarningEndsTheLineIsPrintedOnceAndEvenWhenQuiet() {
        Progress p = progress(true, false);
        Progress.Task t = p.task("gen", "image", 2, 0);
        t.detail("call 1/5");
        p.warn("NaN at call 1");
        p.warn("NaN at call 1");
        String s = text.toString();
        assertTrue(s.endsWith("\u001b[K" + System.lineSeparator() + "warning: NaN at call 1" + System.lineSeparator()), s);
        assertEquals(1, s.split("warning:", -1).length - 1, s);
        Progress quiet = new Progress(new PrintWriter(text), false, 40, true, () -> now);
        quiet.warn("shown");
        assertTrue(text.toString().endsWith("warning: shown" + System.lineSeparator()), text.toString());
    }

    @Test
    void durationsReadLikeClockTime() {
        assertEquals("4.2 s", Progress.duration(4.2));
        assertEquals("3 min 05 s", Progress.duration(185));
        assertEquals("2 h 10 min", Progress.duration(7800));
    }
}
