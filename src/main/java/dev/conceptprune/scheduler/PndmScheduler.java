package dev.conceptprune.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * PNDM with {@code skip_prk_steps}: the PLMS (linear multistep) path of diffusers. n steps make
 * n+1 UNet calls because the second timestep is used twice during the warm-up.
 */
public final class PndmScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final NoiseSchedule schedule;
    private final float finalAlpha;
    private int[] timesteps = new int[0];
    private int stepRatio;
    private final List<float[]> ets = new ArrayList<>();
    private float[] curSample;

    PndmScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new NoiseSchedule(config);
        this.finalAlpha = config.setAlphaToOne() ? 1f : schedule.alphasCumprod[0];
    }

    @Override
    public void setTimesteps(int steps) {
        int train = config.numTrainTimesteps();
        Timesteps.requirePositive(steps, train);
        stepRatio = train / steps;
        int[] desc = Timesteps.spaced(config.timestepSpacing(), steps, train, config.stepsOffset());
        // PLMS order: every timestep once, the second one twice (the warm-up recomputes it)
        if (steps == 1) {
            timesteps = desc;
        } else {
            timesteps = new int[steps + 1];
            timesteps[0] = desc[0];
            timesteps[1] = desc[1];
            System.arraycopy(desc, 1, timesteps, 2, steps - 1);
        }
        ets.clear();
        curSample = null;
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
        int prev = t - stepRatio;
        if (call != 1) {
            if (ets.size() > 3) {
                ets.remove(0);
            }
            ets.add(modelOutput);
        } else {
            prev = t;
            t = t + stepRatio;
        }
        float[] eps;
        float[] x = sample;
        int n = modelOutput.length;
        if (ets.size() == 1 && call == 0) {
            eps = modelOutput;
            curSample = sample;
        } else if (ets.size() == 1 && call == 1) {
            float[] e0 = ets.get(0);
            eps = new float[n];
            for (int i = 0; i < n; i++) {
                eps[i] = (modelOutput[i] + e0[i]) / 2f;
            }
            x = curSample;
            curSample = null;
        } else {
            eps = combine(n);
        }
        return prevSample(x, t, prev, eps);
    }

    /** The Adams-Bashforth combinations of the stored model outputs. */
    private float[] combine(int n) {
        int k = ets.size();
        float[] e1 = ets.get(k - 1);
        float[] e2 = ets.get(k - 2);
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
            float c = (float) (1.0 / 24);
            for (int i = 0; i < n; i++) {
                out[i] = c * (55f * e1[i] - 59f * e2[i] + 37f * e3[i] - 9f * e4[i]);
            }
        }
        return out;
    }

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
        } else if (config.predictionType().equals("sample")) {
            throw config.error("PNDMScheduler supports prediction_type epsilon and v_prediction only");
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
    public boolean integerTimesteps() {
        return true;
    }

    @Override
    public String name() {
        return "pndm";
    }
}
