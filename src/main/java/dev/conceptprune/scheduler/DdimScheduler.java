package dev.conceptprune.scheduler;

/** DDIM with eta 0 (deterministic), as diffusers' {@code DDIMScheduler}. */
public final class DdimScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final NoiseSchedule schedule;
    private final float finalAlpha;
    private final boolean clipSample;
    private final float clipRange;
    private int[] timesteps = new int[0];
    private int stepRatio;

    DdimScheduler(SchedulerConfig config) {
        config.requireFalse("thresholding");
        config.requireFalse("rescale_betas_zero_snr");
        this.config = config;
        this.schedule = new NoiseSchedule(config);
        this.finalAlpha = config.setAlphaToOne() ? 1f : schedule.alphasCumprod[0];
        this.clipSample = config.source().getBoolean("clip_sample", true);
        this.clipRange = (float) config.source().getDouble("clip_sample_range", 1.0);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        int train = config.numTrainTimesteps();
        Timesteps.requireValidSteps(numInferenceSteps, train);
        // the step always spans train // n, whatever the spacing
        stepRatio = train / numInferenceSteps;
        timesteps = Timesteps.requireInRange(Timesteps.spaced(config.timestepSpacing(), numInferenceSteps, train,
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
    public float[] step(float[] modelOutput, int callIndex, float[] sample) {
        Calls.check(callIndex, timesteps.length, modelOutput, sample);
        int t = timesteps[callIndex];
        float at = schedule.alphasCumprod[t];
        float ap = schedule.alphaAt(t - stepRatio, finalAlpha);
        float bt = 1f - at;
        float sa = (float) Math.sqrt(at);
        float sb = (float) Math.sqrt(bt);
        // eta 0: the variance term vanishes, leaving sqrt(1 - a_prev) for the direction
        float dirCoeff = (float) Math.sqrt(1f - ap);
        float sap = (float) Math.sqrt(ap);
        String prediction = config.predictionType();
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float m = modelOutput[i];
            float x = sample[i];
            float x0;
            float eps;
            switch (prediction) {
                case "epsilon" -> {
                    x0 = (x - sb * m) / sa;
                    eps = m;
                }
                case "sample" -> {
                    x0 = m;
                    eps = (x - sa * m) / sb;
                }
                default -> {
                    x0 = sa * x - sb * m;
                    eps = sa * m + sb * x;
                }
            }
            if (clipSample) {
                x0 = Math.max(-clipRange, Math.min(clipRange, x0));
            }
            out[i] = sap * x0 + dirCoeff * eps;
        }
        return out;
    }

    @Override
    public boolean timestepIsInteger() {
        return true;
    }

    @Override
    public String name() {
        return "ddim";
    }
}
