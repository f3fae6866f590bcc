package dev.conceptprune.scheduler;

/** Euler (Karras et al. Algorithm 2 without churn), as diffusers' {@code EulerDiscreteScheduler}. */
public final class EulerDiscreteScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final NoiseSchedule schedule;
    private float[] timesteps = new float[0];
    private float[] sigmas = new float[0];

    EulerDiscreteScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new NoiseSchedule(config);
        Sigmas.rejectUnsupported(config, "EulerDiscreteScheduler");
        String interp = config.source().getString("interpolation_type", "linear");
        if (!interp.equals("linear")) {
            throw config.error("EulerDiscreteScheduler interpolation_type '" + interp + "' is not supported (linear)");
        }
    }

    @Override
    public void setTimesteps(int steps) {
        int train = config.numTrainTimesteps();
        Timesteps.requirePositive(steps, train);
        timesteps = new float[steps];
        switch (config.timestepSpacing()) {
            case "linspace" -> {
                double[] l = Timesteps.linspace(0, train - 1, steps);
                for (int i = 0; i < steps; i++) {
                    timesteps[i] = (float) l[steps - 1 - i];
                }
            }
            case "leading" -> {
                int[] t = Timesteps.spaced("leading", steps, train, config.stepsOffset());
                for (int i = 0; i < steps; i++) {
                    timesteps[i] = t[i];
                }
            }
            default -> {
                double ratio = (double) train / steps;
                for (int i = 0; i < steps; i++) {
                    timesteps[i] = (float) (Math.rint(train - i * ratio) - 1);
                }
            }
        }
        sigmas = Sigmas.withFinalZero(NoiseSchedule.interp(timesteps, schedule.sigmas()));
    }

    @Override
    public float[] timesteps() {
        return timesteps.clone();
    }

    /** Sigmas of the prepared run, with the final 0. */
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        float max = 0;
        for (float s : sigmas) {
            max = Math.max(max, s);
        }
        if (config.timestepSpacing().equals("leading")) {
            return (float) Math.sqrt(max * max + 1f);
        }
        return max;
    }

    @Override
    public float[] scaleModelInput(float[] sample, int call) {
        float s = sigmas[call];
        float div = (float) Math.sqrt(s * s + 1f);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sample[i] / div;
        }
        return out;
    }

    @Override
    public float[] step(float[] modelOutput, int call, float[] sample) {
        float sigma = sigmas[call];
        float sigmaHat = sigma * 1.0f;
        float dt = sigmas[call + 1] - sigmaHat;
        int n = sample.length;
        float[] out = new float[n];
        float vScale = -sigma / (float) Math.sqrt(sigma * sigma + 1f);
        float vDiv = sigma * sigma + 1f;
        for (int i = 0; i < n; i++) {
            float x = sample[i];
            float x0 = switch (config.predictionType()) {
                case "epsilon" -> x - sigmaHat * modelOutput[i];
                case "v_prediction" -> modelOutput[i] * vScale + x / vDiv;
                default -> modelOutput[i];
            };
            float derivative = (x - x0) / sigmaHat;
            out[i] = x + derivative * dt;
        }
        return out;
    }

    @Override
    public boolean integerTimesteps() {
        return false;
    }

    @Override
    public String name() {
        return "euler";
    }
}
