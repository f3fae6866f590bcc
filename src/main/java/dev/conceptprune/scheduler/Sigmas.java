package dev.conceptprune.scheduler;

/** Sigma tables shared by Euler and DPM-Solver. */
final class Sigmas {
    private Sigmas() {
    }

    /** float32 sigmas from numpy float64 values, with the final sigma 0 appended. */
    static float[] withFinalZero(double[] interpolated) {
        float[] out = new float[interpolated.length + 1];
        for (int i = 0; i < interpolated.length; i++) {
            out[i] = (float) interpolated[i];
        }
        return out;
    }

    /** Options we do not implement are refused rather than silently ignored. */
    static void rejectUnsupported(SchedulerConfig c, String cls) {
        if (c.source().getBoolean("use_karras_sigmas", false)) {
            throw c.error(cls + ": use_karras_sigmas true is not supported");
        }
        if (c.source().getBoolean("use_exponential_sigmas", false) || c.source().getBoolean("use_beta_sigmas", false)) {
            throw c.error(cls + ": exponential/beta sigmas are not supported");
        }
        String fin = c.source().getString("final_sigmas_type", "zero");
        if (!fin.equals("zero")) {
            throw c.error(cls + ": final_sigmas_type '" + fin + "' is not supported (zero)");
        }
        if (c.source().getBoolean("rescale_betas_zero_snr", false)) {
            throw c.error(cls + ": rescale_betas_zero_snr is not supported");
        }
    }
}
