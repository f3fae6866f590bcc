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

    /**
     * A problem with the run that does not stop it (a scheduler config default, NaN in the UNet's
     * output), one message per problem and run; ignored unless the listener reports to a person.
     */
    default void warning(String message) {
    }

    /** A listener that does nothing. */
    StepListener NONE = (call, total, t) -> { };
}
