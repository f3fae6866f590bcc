package dev.conceptprune.scheduler;

import java.util.Arrays;
import java.util.List;

/**
 * DPM-Solver++ (multistep, order 1 or 2, midpoint or heun), as diffusers'
 * {@code DPMSolverMultistepScheduler}; its defaults give the "DPM++ 2M" sampler.
 */
public final class DpmSolverMultistepScheduler extends IntegerTimestepScheduler {
    private final int solverOrder;
    private final boolean heun;
    private final boolean lowerOrderFinal;
    private final boolean eulerAtFinal;
    private final boolean finalSigmaZero;
    private final float finalSigma;
    private final int lastTimestep;
    private float[] sigmas = new float[0];
    private float[] previousX0;
    private int lowerOrderNums;
    private int nextCall;

    DpmSolverMultistepScheduler(SchedulerConfig config) {
        super(requireSupported(config));
        this.heun = config.string("solver_type", "midpoint", List.of("midpoint", "heun", "logrho", "bh1", "bh2"))
                .equals("heun");
        this.solverOrder = config.source().getInt("solver_order", 2);
        if (solverOrder != 1 && solverOrder != 2) {
            throw config.error("config key 'solver_order' is " + solverOrder + "; supported: 1, 2");
        }
        if (config.source().has("variance_type")) {
            throw config.error("config key 'variance_type' (learned variance) is not supported; use null");
        }
        this.lowerOrderFinal = config.source().getBoolean("lower_order_final", true);
        this.eulerAtFinal = config.source().getBoolean("euler_at_final", false);
        this.finalSigma = Sigmas.finalSigma(config, schedule);
        this.finalSigmaZero = finalSigma == 0f;
        double lambdaMin = config.pythonFloat("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        if (Double.isNaN(lambdaMin)) {
            throw config.error("config key 'lambda_min_clipped' must be a number, found NaN");
        }
        this.lastTimestep = config.numTrainTimesteps() - schedule.countLambdasBelow(lambdaMin);
    }

    private static SchedulerConfig requireSupported(SchedulerConfig config) {
        Sigmas.rejectUnsupported(config);
        config.requireFalse("use_lu_lambdas");
        config.requireFalse("thresholding");
        // diffusers itself maps 'deis' to dpmsolver++ and logrho/bh1/bh2 to midpoint
        config.string("algorithm_type", "dpmsolver++", List.of("dpmsolver++", "deis"));
        return config;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        int train = config.numTrainTimesteps();
        Timesteps.requireValidSteps(numInferenceSteps, train);
        int[] t = switch (config.timestepSpacing()) {
            case "linspace" -> {
                // n + 1 points over [0, last - 1], rounded, the final 0 dropped
                double[] l = Timesteps.linspace(0, lastTimestep - 1, numInferenceSteps + 1);
                int[] r = new int[numInferenceSteps];
                for (int i = 0; i < numInferenceSteps; i++) {
                    r[i] = (int) Math.rint(l[numInferenceSteps - i]);
                }
                yield r;
            }
            case "leading" -> {
                int[] all = Timesteps.leading(numInferenceSteps + 1, lastTimestep / (numInferenceSteps + 1),
                        config.stepsOffset());
                yield Arrays.copyOf(all, numInferenceSteps);
            }
            default -> Timesteps.trailing(lastTimestep, (double) train / numInferenceSteps, numInferenceSteps);
        };
        timesteps = Timesteps.requireInRange(t, train, config);
        sigmas = Sigmas.forRun(Timesteps.toFloats(timesteps), schedule, finalSigma);
        previousX0 = null;
        lowerOrderNums = 0;
        nextCall = 0;
    }

    /** Sigmas of the prepared run, with the final sigma appended. */
    public float[] sigmas() {
        return sigmas.clone();
    }

    /** alpha_t = 1 / sqrt(sigma^2 + 1) of the VP schedule, float32 as diffusers computes it. */
    private static float alpha(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }

    private static float lambda(float sigma) {
        float a = alpha(sigma);
        return (float) Math.log(a) - (float) Math.log(sigma * a);
    }

    @Override
    public float[] step(float[] modelOutput, int callIndex, float[] sample) {
        Calls.check(callIndex, timesteps.length, modelOutput, sample);
        Calls.inOrder(callIndex, nextCall);
        nextCall++;
        int n = timesteps.length;
        // diffusers drops to first order on the last step for stability with few steps, and
        // always when the final sigma is 0 (a second-order term would divide by an infinite h)
        boolean firstOrderFinal = callIndex == n - 1
                && (eulerAtFinal || (lowerOrderFinal && n < 15) || finalSigmaZero);
        float[] x0 = dataPrediction(modelOutput, callIndex, sample);
        float sigmaT = sigmas[callIndex + 1];
        float sigmaS0 = sigmas[callIndex];
        float alphaT = alpha(sigmaT);
        float ratio = (sigmaT * alphaT) / (sigmaS0 * alpha(sigmaS0));
        float h = lambda(sigmaT) - lambda(sigmaS0);
        float expm = alphaT * ((float) Math.exp(-h) - 1.0f);
        float[] out = new float[sample.length];
        if (solverOrder == 1 || lowerOrderNums < 1 || firstOrderFinal) {
            for (int i = 0; i < out.length; i++) {
                out[i] = ratio * sample[i] - expm * x0[i];
            }
        } else {
            float h0 = lambda(sigmaS0) - lambda(sigmas[callIndex - 1]);
            float r0 = h0 / h;
            // diffusers' 1.0 / r0 is torch's reciprocal, then a multiply by 1.0
            float invR0 = 1.0f / r0;
            float d1Coeff = heun ? -(alphaT * (((float) Math.exp(-h) - 1.0f) / h + 1.0f)) : 0.5f * expm;
            for (int i = 0; i < out.length; i++) {
                float d1 = invR0 * (x0[i] - previousX0[i]);
                out[i] = ratio * sample[i] - expm * x0[i] - d1Coeff * d1;
            }
        }
        previousX0 = x0;
        if (lowerOrderNums < solverOrder) {
            lowerOrderNums++;
        }
        return out;
    }

    /** dpmsolver++ works on the data prediction x0 whatever the model predicts. */
    private float[] dataPrediction(float[] m, int callIndex, float[] x) {
        float sigma = sigmas[callIndex];
        float a = alpha(sigma);
        float s = sigma * a;
        String prediction = config.predictionType();
        float[] x0 = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x0[i] = switch (prediction) {
                case "epsilon" -> (x[i] - s * m[i]) / a;
                case "v_prediction" -> a * x[i] - s * m[i];
                default -> m[i];
            };
        }
        return x0;
    }

    @Override
    public String name() {
        return "dpm++";
    }
}
