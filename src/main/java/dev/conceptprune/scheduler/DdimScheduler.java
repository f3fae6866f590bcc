package dev.conceptprune.scheduler;

import java.util.List;

/** DDIM with eta 0 (deterministic), as diffusers' {@code DDIMScheduler}. */
public final class DdimScheduler extends SpacedAlphaScheduler {
    private final boolean clipSample;
    private final float clipRange;
    private final List<String> warnings;

    DdimScheduler(SchedulerConfig config) {
        super(requireSupported(config));
        this.clipSample = config.source().getBoolean("clip_sample", true);
        this.clipRange = (float) config.source().getDouble("clip_sample_range", 1.0);
        // diffusers' default clips every predicted image to [-1, 1]; Stable Diffusion's latents span a wider
        // range, so a config that merely forgets the key gets garbled images, not a subtle difference.
        this.warnings = config.source().has("clip_sample") ? List.of()
                : List.of("the scheduler config " + config.source().file() + " does not set clip_sample, so DDIM"
                        + " clips its predictions to [-1, 1] (diffusers' default); Stable Diffusion models need"
                        + " \"clip_sample\": false there");
    }

    @Override
    public List<String> warnings() {
        return warnings;
    }

    private static SchedulerConfig requireSupported(SchedulerConfig config) {
        config.requireFalse("thresholding");
        config.requireFalse("rescale_betas_zero_snr");
        return config;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        timesteps = spacedTimesteps(numInferenceSteps);
    }

    @Override
    public float[] step(float[] modelOutput, int callIndex, float[] sample) {
        Calls.check(callIndex, timesteps.length, modelOutput, sample);
        int t = timesteps[callIndex];
        float at = schedule.alphasCumprod[t];
        float ap = schedule.alphaAt(t - stepRatio, finalAlpha);
        float bt = 1f - at;
        float sa = (float) Math.sqrt(at);
        float sb = (float) Math.sqrt(bt);
        // eta 0: the variance term vanishes, leaving sqrt(1 - a_prev) for the direction
        float dirCoeff = (float) Math.sqrt(1f - ap);
        float sap = (float) Math.sqrt(ap);
        String prediction = config.predictionType();
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float m = modelOutput[i];
            float x = sample[i];
            float x0;
            float eps;
            switch (prediction) {
                case "epsilon" -> {
                    x0 = (x - sb * m) / sa;
                    eps = m;
                }
                case "sample" -> {
                    x0 = m;
                    eps = (x - sa * m) / sb;
                }
                default -> {
                    x0 = sa * x - sb * m;
                    eps = sa * m + sb * x;
                }
            }
            if (clipSample) {
                x0 = Math.max(-clipRange, Math.min(clipRange, x0));
            }
            out[i] = sap * x0 + dirCoeff * eps;
        }
        return out;
    }

    @Override
    public String name() {
        return "ddim";
    }
}
