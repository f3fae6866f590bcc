package dev.conceptprune.scheduler;

/**
 * A diffusion sampler on flat float32 latents (the whole batch, NCHW). Multistep schedulers keep
 * their history internally; {@link #setTimesteps} starts a fresh run.
 */
public interface Scheduler {
    /** Prepares a run of {@code steps} inference steps and clears any state. */
    void setTimesteps(int steps);

    /** Timestep of every UNet call, in call order. */
    float[] timesteps();

    /** UNet calls of the prepared run (PNDM makes one more than steps). */
    default int numModelCalls() {
        return timesteps().length;
    }

    /** Factor the initial noise is multiplied by. */
    float initNoiseSigma();

    /** Input for the UNet at a call; the sample itself where the scheduler does not scale. */
    float[] scaleModelInput(float[] sample, int call);

    /** One update: the sample after the given call's model output. */
    float[] step(float[] modelOutput, int call, float[] sample);

    /** Whether the UNet receives integer timesteps (PNDM/DDIM/DPM) or fractional ones (Euler). */
    boolean integerTimesteps();

    /** Short name, e.g. {@code pndm}. */
    String name();
}
