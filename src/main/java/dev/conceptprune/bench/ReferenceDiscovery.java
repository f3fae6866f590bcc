package dev.conceptprune.bench;

import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.runtime.SeededNoise;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.ActivationRecorder;
import dev.conceptprune.prune.ColumnNorms;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.prune.PruneSite;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * ConceptPrune's discovery the way the reference implementation runs it: every prompt alone,
 * every denoising step and the VAE decode, recording the first {@code tau} UNet calls. The
 * baseline that {@link ConceptDiscovery}'s early stop and batching are measured against.
 */
final class ReferenceDiscovery {
    private final StableDiffusionPipeline pipeline;
    private final GenerationSettings settings;
    private final int tau;
    private final PrintStream progress;

    ReferenceDiscovery(StableDiffusionPipeline pipeline, GenerationSettings settings, int tau, PrintStream progress) {
        this.pipeline = pipeline;
        this.settings = settings;
        this.tau = tau;
        this.progress = progress;
    }

    /** Statistics of the {@code ff.net.2} inputs, with the UNet calls made and the time taken. */
    ConceptDiscovery.Result run(List<PromptPair> pairs) {
        int[] widths = PruneSite.FFN2.widths(pipeline);
        ColumnNorms base = new ColumnNorms(tau, widths);
        ColumnNorms target = new ColumnNorms(tau, widths);
        ActivationRecorder recorder = new ActivationRecorder(PruneSite.FFN2, tau, base, target);
        boolean cfg = settings.guidance() > 1.0;
        int[] calls = {0};
        long start = System.nanoTime();
        List<String> prompts = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        for (PromptPair p : pairs) {
            prompts.add(p.base());
            prompts.add(p.target());
            seeds.add(p.seed());
            seeds.add(p.seed());
        }
        pipeline.setUnetObserver(recorder);
        try {
            for (int i = 0; i < prompts.size(); i++) {
                int set = i % 2;
                recorder.assignRows(cfg ? new int[] {set, set} : new int[] {set});
                float[] init = SeededNoise.draw(seeds.get(i), pipeline.latentShape(1, settings.height(), settings.width()));
                int prompt = i + 1;
                float[] latents = pipeline.sample(List.of(prompts.get(i)), settings, init, (call, all, t) -> {
                    recorder.beforeUnetCall(call, all, t);
                    calls[0]++;
                    if (progress != null && call % 10 == 0) {
                        progress.printf("reference discovery: prompt %d/%d, call %d/%d%n", prompt, prompts.size(),
                                call + 1, all);
                    }
                }, Integer.MAX_VALUE);
                pipeline.decode(latents, 1, settings.height(), settings.width());
            }
        } finally {
            pipeline.setUnetObserver(null);
        }
        return new ConceptDiscovery.Result(base, target, calls[0], (System.nanoTime() - start) / 1e9);
    }
}
