package dev.conceptprune.scheduler;

/** The training noise schedule: betas and the cumulative products of alphas, in float32 as torch makes them. */
final class NoiseSchedule {
    final float[] betas;
    final float[] alphasCumprod;

    NoiseSchedule(SchedulerConfig c) {
        int n = c.numTrainTimesteps();
        betas = c.trainedBetas() != null ? c.trainedBetas().clone() : switch (c.betaSchedule()) {
            case "linear" -> linspace((float) c.betaStart(), (float) c.betaEnd(), n);
            case "scaled_linear" -> {
                float[] r = linspace((float) Math.sqrt(c.betaStart()), (float) Math.sqrt(c.betaEnd()), n);
                for (int i = 0; i < n; i++) {
                    r[i] = r[i] * r[i];
                }
                yield r;
            }
            default -> cosineBetas(n);
        };
        for (int i = 0; i < n; i++) {
            if (!(betas[i] >= 0f && betas[i] < 1f)) {
                String from = c.trainedBetas() != null ? "'trained_betas'" : "'beta_start'/'beta_end'";
                throw c.error("config key " + from + " gives beta[" + i + "] = " + betas[i]
                        + "; betas must lie in [0, 1)");
            }
        }
        alphasCumprod = new float[n];
        // torch's CPU cumprod accumulates float32 input in double (a float32 running product
        // differs from torch in most entries)
        double acc = 1.0;
        for (int i = 0; i < n; i++) {
            acc *= 1.0f - betas[i];
            alphasCumprod[i] = (float) acc;
        }
    }

    /**
     * torch.linspace in float32: from the start for the first half, from the end for the rest;
     * libtorch's build fuses each multiply-add, so we do too (bit-exact with its betas).
     */
    static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        float step = (end - start) / (steps - 1);
        int half = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < half ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - 1 - i), end);
        }
        return out;
    }

    /** diffusers' betas_for_alpha_bar: Python float (double) arithmetic, then one rounding to float32. */
    private static float[] cosineBetas(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            out[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        return out;
    }

    private static double alphaBar(double t) {
        double c = StrictMath.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** alphas_cumprod at a training timestep, which must lie in [0, num_train_timesteps). */
    float alphaAtTrainStep(int t) {
        if (t < 0 || t >= alphasCumprod.length) {
            throw new IllegalArgumentException("training timestep " + t + " outside [0, " + alphasCumprod.length + ")");
        }
        return alphasCumprod[t];
    }

    /** {@code a * x + b * y} element-wise in float32 (two roundings and a sum, no fused multiply-add). */
    static float[] combine(float[] x, float a, float[] y, float b) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("sample has " + x.length + " values but noise has " + y.length);
        }
        float[] out = new float[x.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a * x[i] + b * y[i];
        }
        return out;
    }

    /** alphas_cumprod at an integer timestep, or {@code fallback} for a negative one. */
    float alphaAt(int t, float fallback) {
        return t >= 0 ? alphasCumprod[t] : fallback;
    }

    /**
     * sigma_t = ((1 - a) / a) ** 0.5 per train step with a correctly rounded square root. torch's
     * CPU sqrt kernel (where ** 0.5 goes) gave a value 1 ulp off this at t = 260 of SD's schedule,
     * 0.513 ulp from the exact root, so sigma tables may differ from torch's in rare last bits.
     */
    float[] sigmas() {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = sigma(alphasCumprod[i]);
        }
        return s;
    }

    static float sigma(float alphaCumprod) {
        return (float) Math.sqrt((1f - alphaCumprod) / alphaCumprod);
    }

    /**
     * How many train steps have DPM-Solver's lambda_t = log(sqrt(a)) - log(sqrt(1 - a)) (float32)
     * below the threshold; lambda falls monotonically, so this is diffusers' searchsorted index
     * into the flipped table for lambda_min_clipped.
     */
    int countLambdasBelow(double threshold) {
        int count = 0;
        for (float a : alphasCumprod) {
            float lambda = (float) Math.log((float) Math.sqrt(a)) - (float) Math.log((float) Math.sqrt(1f - a));
            if (lambda < threshold) {
                count++;
            }
        }
        return count;
    }
}
