package dev.conceptprune.pipeline;

import dev.conceptprune.io.Progress;

/**
 * Progress of sampling runs counted in UNet calls, so the ETA covers every run still to come: a
 * {@link StepListener} for {@code runs} runs of the same settings. The count is of UNet calls, not
 * steps, because PNDM calls the UNet once more than its steps (5 steps, 6 calls); the line says both
 * whenever they differ. Warnings of the runs go to the reporter once each. Call {@link #finish()}
 * after the last run.
 */
public final class StepProgress implements StepListener {
    private final Progress progress;
    private final String label;
    private final int runs;
    private final int steps;
    private Progress.Task task;
    private int run;
    private int callsPerRun;

    /** @param steps the denoising steps the user asked for */
    public StepProgress(Progress progress, String label, int runs, int steps) {
        this.progress = progress;
        this.label = label;
        this.runs = runs;
        this.steps = steps;
    }

    @Override
    public void beforeUnetCall(int call, int totalCalls, float timestep) {
        if (task == null) {
            callsPerRun = totalCalls;
            task = progress.task(label, "UNet call", (long) runs * totalCalls, 0);
        } else {
            task.advance(1);
        }
        if (call == 0) {
            run++;
        }
        task.detail(detail(steps, callsPerRun, run, runs));
    }

    @Override
    public void warning(String message) {
        progress.warn(message);
    }

    /** Counts the last call as done and ends the progress line. */
    public void finish() {
        if (task != null) {
            task.advance(1);
            task.finish();
        }
    }

    /**
     * The detail of a sampling progress line: {@code "5 steps = 6 UNet calls"} where the scheduler calls
     * the UNet more often than it steps, and {@code "run 2/8"} for several runs; empty when neither applies.
     */
    static String detail(int steps, int callsPerRun, int run, int runs) {
        String calls = callsPerRun == steps ? ""
                : steps + " steps = " + callsPerRun + " UNet calls" + (runs > 1 ? " per run" : "");
        String runText = runs > 1 ? "run " + run + "/" + runs : "";
        return calls.isEmpty() || runText.isEmpty() ? calls + runText : calls + ", " + runText;
    }
}
