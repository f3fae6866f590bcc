package dev.conceptprune.scheduler;

import java.util.List;

/**
 * A diffusion sampler on flat float32 latents (the whole batch, NCHW). Calls are numbered by UNet
 * call; multistep schedulers keep their history internally and need their calls in order.
 */
public interface Scheduler {
    /** Prepares a run of {@code numInferenceSteps} (> 0) steps and clears any state. */
    void setTimesteps(int numInferenceSteps);

    /** Timestep of every UNet call, in call order (PNDM repeats its second timestep). */
    float[] timesteps();

    /** UNet calls of the prepared run (PNDM makes one more than the steps). */
    default int numModelCalls() {
        return timesteps().length;
    }

    /** Factor the initial noise is multiplied by. */
    float initNoiseSigma();

    /** Input for the UNet at a call: the sample itself, or a new scaled array. */
    float[] scaleModelInput(float[] sample, int callIndex);

    /** One update: the sample after the given call's model output. */
    float[] step(float[] modelOutput, int callIndex, float[] sample);

    /**
     * The forward (noising) process at a training timestep, as diffusers' {@code add_noise}: the
     * DDPM form {@code sqrt(abar_t) x0 + sqrt(1 - abar_t) eps} for the integer-timestep
     * schedulers, the sigma form {@code x0 + sigma_t eps} for Euler (whose samples live in sigma
     * space). Used by denoising-loss objectives (attacks) and image-to-image starts.
     */
    float[] addNoise(float[] original, float[] noise, int trainTimestep);

    /** Whether the UNet receives int64 timesteps (PNDM, DDIM, DPM) or float32 ones (Euler). */
    boolean timestepIsInteger();

    /**
     * Warnings about the config this scheduler was built from: a missing key whose diffusers default
     * changes the images a lot (DDIM's {@code clip_sample}). Empty when the config says what it means.
     */
    default List<String> warnings() {
        return List.of();
    }

    /** The kind's short name: pndm, ddim, euler or dpm++. */
    String name();
}
