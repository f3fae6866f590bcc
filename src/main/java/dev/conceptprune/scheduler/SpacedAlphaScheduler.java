package dev.conceptprune.scheduler;

/**
 * What DDIM and PNDM share: integer timesteps spaced over the training schedule, a step that
 * spans {@code train // n} of them, an unscaled model input, unit initial noise and the
 * alpha used past the end of the schedule ({@code set_alpha_to_one}).
 */
abstract class SpacedAlphaScheduler implements Scheduler {
    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    protected final float finalAlpha;
    /** Timestep of every UNet call of the prepared run. */
    protected int[] timesteps = new int[0];
    protected int stepRatio;

    SpacedAlphaScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new NoiseSchedule(config);
        this.finalAlpha = config.setAlphaToOne() ? 1f : schedule.alphasCumprod[0];
    }

    /** Validates {@code numInferenceSteps}, sets the step ratio and returns the descending spaced timesteps. */
    protected int[] spacedTimesteps(int numInferenceSteps) {
        int train = config.numTrainTimesteps();
        Timesteps.requireValidSteps(numInferenceSteps, train);
        // the step always spans train // n, whatever the spacing
        stepRatio = train / numInferenceSteps;
        return Timesteps.requireInRange(Timesteps.spaced(config.timestepSpacing(), numInferenceSteps, train,
                config.stepsOffset()), train, config);
    }

    @Override
    public float[] timesteps() {
        return Timesteps.toFloats(timesteps);
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public float[] scaleModelInput(float[] sample, int callIndex) {
        Calls.check(callIndex, timesteps.length);
        return sample;
    }

    @Override
    public boolean timestepIsInteger() {
        return true;
    }
}
