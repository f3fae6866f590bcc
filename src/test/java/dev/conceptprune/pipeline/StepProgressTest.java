package dev.conceptprune.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Sampling progress: UNet calls counted, the steps asked for named where PNDM's calls differ, warnings passed on. */
class StepProgressTest {
    @Test
    void theLineNamesTheStepsWhereTheCallsDiffer() {
        assertEquals("5 steps = 6 UNet calls", StepProgress.detail(5, 6, 1, 1));
        assertEquals("5 steps = 6 UNet calls per run, run 2/3", StepProgress.detail(5, 6, 2, 3));
        assertEquals("run 2/3", StepProgress.detail(5, 5, 2, 3));
        assertEquals("", StepProgress.detail(5, 5, 1, 1));
    }

    @Test
    void aGenerateRunCountsItsCallsAndWarnsOncePerProblem() {
        StringWriter err = new StringWriter();
        StepProgress steps = new StepProgress(Progress.to(new PrintWriter(err), false), "generate", 1, 5);
        for (int call = 0; call < 6; call++) {
            steps.beforeUnetCall(call, 6, 1000 - call);
            steps.warning("the UNet produced NaN");
        }
        steps.finish();
        String s = err.toString();
        assertTrue(s.contains("generate: 0/6 UNet calls (5 steps = 6 UNet calls)"), s);
        assertTrue(s.contains("generate: 6/6 UNet calls (5 steps = 6 UNet calls)"), s);
        assertEquals(1, s.split("warning: the UNet produced NaN", -1).length - 1, s);
    }
}
