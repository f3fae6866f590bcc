package dev.conceptprune.scheduler;

import java.util.List;

/** Sigma tables shared by Euler and DPM-Solver. */
final class Sigmas {
    private Sigmas() {
    }

    /**
     * The sigmas of a run: the train table interpolated at the timesteps (numpy.interp in float64),
     * then the final sigma, all rounded once to float32 as diffusers' astype(float32) does.
     */
    static float[] forRun(float[] timesteps, NoiseSchedule schedule, float finalSigma) {
        double[] v = interp(timesteps, schedule.sigmas());
        float[] out = new float[v.length + 1];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        out[v.length] = finalSigma;
        return out;
    }

    /** numpy.interp over the grid 0..n-1; exact at grid points. */
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
                double slope = (double) values[lo + 1] - values[lo];
                out[i] = slope * (t - lo) + values[lo];
            }
        }
        return out;
    }

    /** final_sigmas_type: 0, or the smallest train sigma ('sigma_min'). */
    static float finalSigma(SchedulerConfig c, NoiseSchedule schedule) {
        String type = c.string("final_sigmas_type", "zero", List.of("zero", "sigma_min"));
        return type.equals("zero") ? 0f : NoiseSchedule.sigma(schedule.alphasCumprod[0]);
    }

    /** Sigma spacings and schedule rescaling we do not implement are refused rather than ignored. */
    static void rejectUnsupported(SchedulerConfig c) {
        c.requireFalse("use_karras_sigmas");
        c.requireFalse("use_exponential_sigmas");
        c.requireFalse("use_beta_sigmas");
        c.requireFalse("rescale_betas_zero_snr");
    }
}
