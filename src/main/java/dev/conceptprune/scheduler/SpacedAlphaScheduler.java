package dev.conceptprune.scheduler;

/**
 * What DDIM and PNDM add: timesteps spaced over the training schedule, a step that spans
 * {@code train // n} of them, and the alpha used past the end of the schedule
 * ({@code set_alpha_to_one}).
 */
abstract class SpacedAlphaScheduler extends IntegerTimestepScheduler {
    protected final float finalAlpha;
    protected int stepRatio;

    SpacedAlphaScheduler(SchedulerConfig config) {
        super(config);
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
}
