package dev.conceptprune.scheduler;

/**
 * DPM-Solver++ (2M): second-order multistep with the midpoint solver, first order on the first
 * and the final step, as diffusers' {@code DPMSolverMultistepScheduler} with its defaults.
 */
public final class DpmSolverMultistepScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final NoiseSchedule schedule;
    private int[] timesteps = new int[0];
    private float[] sigmas = new float[0];
    private float[] previousX0;
    private int lowerOrderNums;

    DpmSolverMultistepScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new NoiseSchedule(config);
        Sigmas.rejectUnsupported(config, "DPMSolverMultistepScheduler");
        var c = config.source();
        String algorithm = c.getString("algorithm_type", "dpmsolver++");
        if (!algorithm.equals("dpmsolver++")) {
            throw config.error("DPMSolverMultistepScheduler algorithm_type '" + algorithm + "' is not supported (dpmsolver++)");
        }
        if (c.getInt("solver_order", 2) != 2) {
            throw config.error("DPMSolverMultistepScheduler solver_order must be 2");
        }
        if (!c.getString("solver_type", "midpoint").equals("midpoint")) {
            throw config.error("DPMSolverMultistepScheduler solver_type must be midpoint");
        }
        if (c.getBoolean("thresholding", false) || c.getBoolean("euler_at_final", false)
                || c.getBoolean("use_lu_lambdas", false)) {
            throw config.error("DPMSolverMultistepScheduler thresholding, euler_at_final and use_lu_lambdas are not supported");
        }
    }

    @Override
    public void setTimesteps(int steps) {
        int train = config.numTrainTimesteps();
        Timesteps.requirePositive(steps, train);
        timesteps = new int[steps];
        switch (config.timestepSpacing()) {
            case "linspace" -> {
                double[] l = Timesteps.linspace(0, train - 1, steps + 1);
                for (int i = 0; i < steps; i++) {
                    timesteps[i] = (int) Math.rint(l[steps - i]);
                }
            }
            case "leading" -> {
                int ratio = train / (steps + 1);
                for (int i = 0; i < steps; i++) {
                    timesteps[i] = (steps - i) * ratio + config.stepsOffset();
                }
            }
            default -> {
                double ratio = (double) train / steps;
                for (int i = 0; i < steps; i++) {
                    timesteps[i] = (int) Math.rint(train - i * ratio) - 1;
                }
            }
        }
        float[] t = timesteps();
        sigmas = Sigmas.withFinalZero(NoiseSchedule.interp(t, schedule.sigmas()));
        previousX0 = null;
        lowerOrderNums = 0;
    }

    @Override
    public float[] timesteps() {
        float[] t = new float[timesteps.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = timesteps[i];
        }
        return t;
    }

    /** Sigmas of the prepared run, with the final 0. */
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public float[] scaleModelInput(float[] sample, int call) {
        return sample;
    }

    private static float alpha(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }

    private static float lambda(float sigma) {
        float a = alpha(sigma);
        float s = sigma * a;
        return (float) Math.log(a) - (float) Math.log(s);
    }

    @Override
    public float[] step(float[] modelOutput, int call, float[] sample) {
        // with final sigma 0 the last step is always first order
        boolean finalFirstOrder = call == timesteps.length - 1;
        float[] x0 = dataPrediction(modelOutput, call, sample);
        float sigmaT = sigmas[call + 1];
        float sigmaS0 = sigmas[call];
        float alphaT = alpha(sigmaT);
        float sT = sigmaT * alphaT;
        float sS0 = sigmaS0 * alpha(sigmaS0);
        float h = lambda(sigmaT) - lambda(sigmaS0);
        float expm = alphaT * ((float) Math.exp(-h) - 1.0f);
        float ratio = sT / sS0;
        int n = sample.length;
        float[] out = new float[n];
        if (lowerOrderNums < 1 || finalFirstOrder || previousX0 == null) {
            for (int i = 0; i < n; i++) {
                out[i] = ratio * sample[i] - expm * x0[i];
            }
        } else {
            float h0 = lambda(sigmaS0) - lambda(sigmas[call - 1]);
            float r0 = h0 / h;
            float c1 = 1.0f / r0;
            float halfExpm = 0.5f * expm;
            for (int i = 0; i < n; i++) {
                float d1 = c1 * (x0[i] - previousX0[i]);
                out[i] = ratio * sample[i] - expm * x0[i] - halfExpm * d1;
            }
        }
        previousX0 = x0;
        if (lowerOrderNums < 2) {
            lowerOrderNums++;
        }
        return out;
    }

    /** The solver works on the data prediction x0 (dpmsolver++). */
    private float[] dataPrediction(float[] m, int call, float[] x) {
        float sigma = sigmas[call];
        float a = alpha(sigma);
        float s = sigma * a;
        float[] x0 = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x0[i] = switch (config.predictionType()) {
                case "epsilon" -> (x[i] - s * m[i]) / a;
                case "v_prediction" -> a * x[i] - s * m[i];
                default -> m[i];
            };
        }
        return x0;
    }

    @Override
    public boolean integerTimesteps() {
        return true;
    }

    @Override
    public String name() {
        return "dpm++";
    }
}
