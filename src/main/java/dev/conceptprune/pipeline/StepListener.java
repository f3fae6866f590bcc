package dev.conceptprune.pipeline;

/** Told about each UNet call of a sampling run, before it happens; for progress and observation. */
@FunctionalInterface
public interface StepListener {
    /**
     * @param call index of the UNet call in this run (0 = first, noisiest)
     * @param totalCalls calls the full run would make
     * @param timestep the timestep passed to the UNet
     */
    void beforeUnetCall(int call, int totalCalls, float timestep);

    /** A listener that does nothing. */
    StepListener NONE = (call, total, t) -> { };
}
