package dev.conceptprune.scheduler;

import java.util.List;

/** Euler (Karras et al. Algorithm 2 without churn), as diffusers' {@code EulerDiscreteScheduler}. */
public final class EulerDiscreteScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final NoiseSchedule schedule;
    private final float finalSigma;
    private float[] timesteps = new float[0];
    private float[] sigmas = new float[0];

    EulerDiscreteScheduler(SchedulerConfig config) {
        Sigmas.rejectUnsupported(config);
        config.string("interpolation_type", "linear", List.of("linear"));
        config.string("timestep_type", "discrete", List.of("discrete"));
        this.config = config;
        this.schedule = new NoiseSchedule(config);
        this.finalSigma = Sigmas.finalSigma(config, schedule);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        int train = config.numTrainTimesteps();
        Timesteps.requireValidSteps(numInferenceSteps, train);
        if (config.timestepSpacing().equals("linspace")) {
            // fractional timesteps: numpy linspace in float64, rounded once to float32
            double[] l = Timesteps.linspace(0, train - 1, numInferenceSteps);
            timesteps = new float[numInferenceSteps];
            for (int i = 0; i < numInferenceSteps; i++) {
                timesteps[i] = (float) l[numInferenceSteps - 1 - i];
            }
        } else {
            timesteps = Timesteps.toFloats(Timesteps.requireInRange(Timesteps.spaced(config.timestepSpacing(),
                    numInferenceSteps, train, config.stepsOffset()), train, config));
        }
        sigmas = Sigmas.forRun(timesteps, schedule, finalSigma);
    }

    @Override
    public float[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int trainTimestep) {
        float sigma = NoiseSchedule.sigma(schedule.alphaAtTrainStep(trainTimestep));
        return NoiseSchedule.combine(original, 1f, noise, sigma);
    }

    /** Sigmas of the prepared run, with the final sigma appended. */
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        if (sigmas.length == 0) {
            throw new IllegalStateException("setTimesteps must be called before the scheduler is used");
        }
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
    public float[] scaleModelInput(float[] sample, int callIndex) {
        Calls.check(callIndex, timesteps.length);
        float s = sigmas[callIndex];
        float div = (float) Math.sqrt(s * s + 1f);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sample[i] / div;
        }
        return out;
    }

    @Override
    public float[] step(float[] modelOutput, int callIndex, float[] sample) {
        Calls.check(callIndex, timesteps.length, modelOutput, sample);
        float sigma = sigmas[callIndex];
        // no churn: gamma = 0, so sigma_hat = sigma * (0 + 1)
        float sigmaHat = sigma * 1.0f;
        float dt = sigmas[callIndex + 1] - sigmaHat;
        float vScale = -sigma / (float) Math.sqrt(sigma * sigma + 1f);
        float vDiv = sigma * sigma + 1f;
        String prediction = config.predictionType();
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float x = sample[i];
            float x0 = switch (prediction) {
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
    public boolean timestepIsInteger() {
        return false;
    }

    @Override
    public String name() {
        return "euler";
    }
}
