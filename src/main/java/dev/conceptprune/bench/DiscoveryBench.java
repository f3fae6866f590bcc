package dev.conceptprune.bench;

import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.MaskBuilder;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.model.TensorSource;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * Times one ConceptPrune discovery with early stop and batching against the reference
 * procedure on the same prompts, and checks that both find the same statistics and mask.
 * The fast run goes first, so any warm-up cost counts against it.
 */
public final class DiscoveryBench {
    private final StableDiffusionPipeline pipeline;
    private final GenerationSettings settings;
    private final int tau;
    private final int batch;
    private final PrintStream progress;

    /**
     * @param settings steps, scheduler, guidance and size of the observation runs
     * @param batch prompts per UNet batch of the fast run
     * @param progress where progress lines go, or null
     */
    public DiscoveryBench(StableDiffusionPipeline pipeline, GenerationSettings settings, int tau, int batch,
                          PrintStream progress) {
        this.pipeline = pipeline;
        this.settings = settings;
        this.tau = tau;
        this.batch = batch;
        this.progress = progress;
    }

    /**
     * @param unetWeights the pipeline's UNet weights, for the masks
     * @param skillRatio the masks' skill ratio
     */
    public DiscoveryComparison run(List<PromptPair> pairs, TensorSource unetWeights, double skillRatio) {
        ConceptDiscovery.Result fast = new ConceptDiscovery(pipeline, settings, tau, batch,
                progress == null ? null : Progress.to(new PrintWriter(progress, true), false)).run(pairs);
        ConceptDiscovery.Result reference = new ReferenceDiscovery(pipeline, settings, tau, progress).run(pairs);
        List<String> params = PruneSite.FFN2.parameters(pipeline);
        PruneMask fastMask = MaskBuilder.build(unetWeights, params, fast.base(), fast.target(), skillRatio, tau, 0,
                Map.of());
        PruneMask referenceMask = MaskBuilder.build(unetWeights, params, reference.base(), reference.target(),
                skillRatio, tau, 0, Map.of());
        return DiscoveryComparison.of(fast, reference, fastMask, referenceMask);
    }
}
