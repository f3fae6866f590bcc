package dev.conceptprune.bench;

import dev.conceptprune.io.Progress;
import dev.conceptprune.model.Component;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.MaskBuilder;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.model.ModelSource;
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
    private static final int PAIRS = 4;
    private static final double GUIDANCE = 7.5;
    private static final double SKILL_RATIO = 0.01;

    private final StableDiffusionPipeline pipeline;
    private final GenerationSettings settings;
    private final int tau;
    private final int batch;
    private final PrintStream progress;

    /**
     * Times a discovery of the Stripes style on the request's model folder: {@value #PAIRS} prompt
     * pairs, the model's scheduler, guidance {@value #GUIDANCE}.
     *
     * @param progress where progress lines go, or null
     */
    public static DiscoveryResults measure(BenchRequest request, PrintStream progress) {
        DiscoveryModel target = DiscoveryModel.of(request);
        ModelSource folder = target.folder();
        int h = target.height();
        int w = target.width();
        int steps = request.steps();
        GenerationSettings settings = new GenerationSettings("", "", steps, GUIDANCE, null, 0, h, w, 1, null);
        List<PromptPair> pairs = Concept.style("Stripes", request.seed()).pairs().subList(0, PAIRS);
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(folder);
             TensorSource unet = folder.tensors(Component.UNET)) {
            DiscoveryModel.requireTau(pipe, steps, request.tau());
            DiscoveryComparison c = new DiscoveryBench(pipe, settings, request.tau(), request.batch(), progress)
                    .run(pairs, unet, SKILL_RATIO);
            return new DiscoveryResults(folder.location().toString(), pairs.size(), request.tau(), steps, h, w,
                    request.batch(), c);
        }
    }

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
