package dev.conceptprune.pipeline;

import dev.conceptprune.io.Progress;

/**
 * Progress of sampling runs counted in UNet calls, so the ETA covers every run still to come: a
 * {@link StepListener} for {@code runs} runs of the same settings. Call {@link #finish()} after the
 * last run.
 */
public final class StepProgress implements StepListener {
    private final Progress progress;
    private final String label;
    private final int runs;
    private Progress.Task task;
    private int run;

    public StepProgress(Progress progress, String label, int runs) {
        this.progress = progress;
        this.label = label;
        this.runs = runs;
    }

    @Override
    public void beforeUnetCall(int call, int totalCalls, float timestep) {
        if (task == null) {
            task = progress.task(label, "UNet call", (long) runs * totalCalls, 0);
        } else {
            task.advance(1);
        }
        if (call == 0) {
            run++;
        }
        task.detail(runs > 1 ? "run " + run + "/" + runs : "");
    }

    /** Counts the last call as done and ends the progress line. */
    public void finish() {
        if (task != null) {
            task.advance(1);
            task.finish();
        }
    }
}
