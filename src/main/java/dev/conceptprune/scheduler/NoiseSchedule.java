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
        alphasCumprod = new float[n];
        // torch's CPU cumprod accumulates float32 input in double
        double acc = 1.0;
        for (int i = 0; i < n; i++) {
            acc *= (float) (1.0f - betas[i]);
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
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** alphas_cumprod at an integer timestep, or {@code fallback} for a negative one. */
    float alphaAt(int t, float fallback) {
        return t >= 0 ? alphasCumprod[t] : fallback;
    }

    /** sigma_t = sqrt((1 - a) / a) per train step, float32 as torch computes it. */
    float[] sigmas() {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) {
            float a = alphasCumprod[i];
            s[i] = (float) Math.sqrt((1f - a) / a);
        }
        return s;
    }

    /** numpy's interp of per-train-step values at fractional timesteps (float64, as numpy computes). */
    static double[] interp(float[] timesteps, float[] values) {
        double[] out = new double[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            double t = timesteps[i];
            if (t <= 0) {
                out[i] = values[0];
            } else if (t >= values.length - 1) {
                out[i] = values[values.length - 1];
            } else {
                int lo = (int) Math.floor(t);
                double frac = t - lo;
                double slope = ((double) values[lo + 1] - values[lo]);
                out[i] = slope * frac + values[lo];
            }
        }
        return out;
    }
}
