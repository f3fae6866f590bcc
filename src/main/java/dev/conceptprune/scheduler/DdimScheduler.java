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
        this.config = config;
        this.schedule = new NoiseSchedule(config);
        this.finalAlpha = config.setAlphaToOne() ? 1f : schedule.alphasCumprod[0];
        this.clipSample = config.source().getBoolean("clip_sample", true);
        this.clipRange = (float) config.source().getDouble("clip_sample_range", 1.0);
        if (config.source().getBoolean("thresholding", false)) {
            throw config.error("DDIMScheduler thresholding is not supported");
        }
    }

    @Override
    public void setTimesteps(int steps) {
        int train = config.numTrainTimesteps();
        Timesteps.requirePositive(steps, train);
        stepRatio = train / steps;
        timesteps = Timesteps.spaced(config.timestepSpacing(), steps, train, config.stepsOffset());
    }

    @Override
    public float[] timesteps() {
        float[] t = new float[timesteps.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = timesteps[i];
        }
        return t;
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public float[] scaleModelInput(float[] sample, int call) {
        return sample;
    }

    @Override
    public float[] step(float[] modelOutput, int call, float[] sample) {
        int t = timesteps[call];
        float at = schedule.alphasCumprod[t];
        float ap = schedule.alphaAt(t - stepRatio, finalAlpha);
        float bt = 1f - at;
        float sa = (float) Math.sqrt(at);
        float sb = (float) Math.sqrt(bt);
        int n = sample.length;
        float[] x0 = new float[n];
        float[] eps = new float[n];
        for (int i = 0; i < n; i++) {
            float m = modelOutput[i];
            float x = sample[i];
            switch (config.predictionType()) {
                case "epsilon" -> {
                    x0[i] = (x - sb * m) / sa;
                    eps[i] = m;
                }
                case "sample" -> {
                    x0[i] = m;
                    eps[i] = (x - sa * m) / sb;
                }
                default -> {
                    x0[i] = sa * x - sb * m;
                    eps[i] = sa * m + sb * x;
                }
            }
            if (clipSample) {
                x0[i] = Math.max(-clipRange, Math.min(clipRange, x0[i]));
            }
        }
        float dirCoeff = (float) Math.sqrt(1f - ap - 0f);
        float sap = (float) Math.sqrt(ap);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = sap * x0[i] + dirCoeff * eps[i];
        }
        return out;
    }

    @Override
    public boolean integerTimesteps() {
        return true;
    }

    @Override
    public String name() {
        return "ddim";
    }
}
