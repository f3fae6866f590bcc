package dev.conceptprune.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * PNDM with {@code skip_prk_steps}: the PLMS (linear multistep) path of diffusers'
 * {@code PNDMScheduler}. n steps make n+1 UNet calls because the second timestep is used twice
 * during the warm-up.
 */
public final class PndmScheduler extends SpacedAlphaScheduler {
    private final List<float[]> ets = new ArrayList<>();
    private float[] curSample;
    private int nextCall;

    PndmScheduler(SchedulerConfig config) {
        super(requireSupported(config));
    }

    private static SchedulerConfig requireSupported(SchedulerConfig config) {
        if (!config.source().getBoolean("skip_prk_steps", false)) {
            throw config.error("PNDMScheduler with skip_prk_steps false (the PRK warm-up) is not supported;"
                    + " set skip_prk_steps true as Stable Diffusion does, or choose another scheduler");
        }
        if (config.predictionType().equals("sample")) {
            throw config.error("PNDMScheduler supports prediction_type epsilon and v_prediction, not sample");
        }
        return config;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        int[] desc = spacedTimesteps(numInferenceSteps);
        int n = desc.length;
        if (n == 1) {
            timesteps = desc;
        } else {
            timesteps = new int[n + 1];
            timesteps[0] = desc[0];
            System.arraycopy(desc, 1, timesteps, 2, n - 1);
            timesteps[1] = desc[1];
        }
        ets.clear();
        curSample = null;
        nextCall = 0;
    }

    @Override
    public float[] step(float[] modelOutput, int callIndex, float[] sample) {
        Calls.check(callIndex, timesteps.length, modelOutput, sample);
        Calls.inOrder(callIndex, nextCall);
        nextCall++;
        int t = timesteps[callIndex];
        int prev = t - stepRatio;
        float[] eps;
        float[] x = sample;
        if (callIndex == 1) {
            // the repeated timestep redoes step 0 from the stored sample with the averaged output,
            // and is not added to the history
            prev = t;
            t = t + stepRatio;
            float[] e0 = ets.get(0);
            eps = new float[modelOutput.length];
            for (int i = 0; i < eps.length; i++) {
                eps[i] = (modelOutput[i] + e0[i]) / 2f;
            }
            x = curSample;
            curSample = null;
        } else {
            if (ets.size() > 3) {
                ets.remove(0);
            }
            ets.add(modelOutput.clone());
            if (callIndex == 0) {
                eps = modelOutput;
                curSample = sample.clone();
            } else {
                eps = adamsBashforth();
            }
        }
        return prevSample(x, t, prev, eps);
    }

    /** The linear multistep combination of the stored model outputs (orders 2 to 4). */
    private float[] adamsBashforth() {
        int k = ets.size();
        float[] e1 = ets.get(k - 1);
        float[] e2 = ets.get(k - 2);
        int n = e1.length;
        float[] out = new float[n];
        if (k == 2) {
            for (int i = 0; i < n; i++) {
                out[i] = (3f * e1[i] - e2[i]) / 2f;
            }
        } else if (k == 3) {
            float[] e3 = ets.get(k - 3);
            for (int i = 0; i < n; i++) {
                out[i] = (23f * e1[i] - 16f * e2[i] + 5f * e3[i]) / 12f;
            }
        } else {
            float[] e3 = ets.get(k - 3);
            float[] e4 = ets.get(k - 4);
            // diffusers multiplies by the Python float 1/24 (rounded to float32 by torch)
            float c = (float) (1.0 / 24);
            for (int i = 0; i < n; i++) {
                out[i] = c * (55f * e1[i] - 59f * e2[i] + 37f * e3[i] - 9f * e4[i]);
            }
        }
        return out;
    }

    /** Formula (9) of the PNDM paper, on float32 scalars as diffusers computes them. */
    private float[] prevSample(float[] x, int t, int prev, float[] eps) {
        float at = schedule.alphasCumprod[t];
        float ap = schedule.alphaAt(prev, finalAlpha);
        float bt = 1f - at;
        float bp = 1f - ap;
        int n = x.length;
        float[] e = eps;
        if (config.predictionType().equals("v_prediction")) {
            float sa = (float) Math.sqrt(at);
            float sb = (float) Math.sqrt(bt);
            e = new float[n];
            for (int i = 0; i < n; i++) {
                e[i] = sa * eps[i] + sb * x[i];
            }
        }
        float sampleCoeff = (float) Math.sqrt(ap / at);
        float denom = at * (float) Math.sqrt(bp) + (float) Math.sqrt(at * bt * ap);
        float diff = ap - at;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = sampleCoeff * x[i] - diff * e[i] / denom;
        }
        return out;
    }

    @Override
    public String name() {
        return "pndm";
    }
}
