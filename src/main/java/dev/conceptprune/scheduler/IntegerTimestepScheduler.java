package dev.conceptprune.scheduler;

/**
 * What DDIM, PNDM and DPM-Solver++ share: the training noise schedule, integer timesteps per
 * UNet call, unit initial noise and a model input that is the sample itself.
 */
abstract class IntegerTimestepScheduler implements Scheduler {
    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    /** Timestep of every UNet call of the prepared run. */
    protected int[] timesteps = new int[0];

    IntegerTimestepScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new NoiseSchedule(config);
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
    public float[] addNoise(float[] original, float[] noise, int trainTimestep) {
        float a = schedule.alphaAtTrainStep(trainTimestep);
        // float32 throughout, as torch computes alphas_cumprod[t] ** 0.5 and the two products
        float sa = (float) Math.sqrt(a);
        float sb = (float) Math.sqrt(1f - a);
        return NoiseSchedule.combine(original, sa, noise, sb);
    }

    @Override
    public boolean timestepIsInteger() {
        return true;
    }
}
