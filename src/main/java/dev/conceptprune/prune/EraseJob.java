package dev.conceptprune.prune;

import ai.djl.ndarray.types.DataType;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.scheduler.Scheduler;
import dev.conceptprune.scheduler.Schedulers;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * ConceptPrune end to end for {@code erase}: per concept discovery (resumable from a checkpoint),
 * the mask and any sweep masks; then the union of the masks exported as an edited model, and
 * {@code summary.json}. Writes into {@link EraseRequest#out()}.
 */
public final class EraseJob {
    /** The edited model's folder inside the output folder. */
    public static final String MODEL_DIR = "model";
    /** The summary's name inside the output folder. */
    public static final String SUMMARY = "summary.json";

    private final EraseRequest request;
    private final Progress progress;

    public EraseJob(EraseRequest request, Progress progress) {
        this.request = request;
        this.progress = progress;
    }

    /** UNet calls of one sampling run with these settings on this model (the most tau can observe). */
    public static int unetCallsPerRun(ModelSource model, GenerationSettings settings) {
        Scheduler probe = Schedulers.from(model, settings.scheduler());
        probe.setTimesteps(settings.steps());
        return probe.numModelCalls();
    }

    /** Runs the job; the summary it returns is also written to the output folder. */
    public EraseResult run() {
        long start = System.nanoTime();
        ModelSource folder = ModelSource.open(request.model(), request.modelOptions());
        Path out = request.out();
        Path edited = editedModel(folder, out);
        if (Files.exists(edited) && !request.force()) {
            throw new InputException(edited + " already exists; pass force to replace it");
        }
        PruneSite site = request.site();
        GenerationSettings settings = request.settings();
        int callsPerRun = unetCallsPerRun(folder, settings);
        if (site.timeDependent() && request.observedTau() > callsPerRun) {
            throw new InputException("tau " + request.observedTau() + " exceeds the " + callsPerRun
                    + " UNet calls of a " + settings.steps() + "-step run");
        }
        List<PruneMask> masks = new ArrayList<>();
        List<EraseResult.ConceptResult> results = new ArrayList<>();
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(folder);
             TensorSource unetWeights = folder.tensors(Component.UNET);
             SiteWeights siteWeights = new SiteWeights(folder)) {
            String fingerprint = BaseFingerprint.of(unetWeights);
            List<SiteLayer> layers = site.layers(pipe);
            for (Concept c : request.concepts()) {
                DiscoveryCheckpoint checkpoint = new DiscoveryCheckpoint(
                        out.resolve("." + c.slug() + ".discovery.safetensors"), checkpointKey(fingerprint, c, pipe.runtime()));
                ConceptDiscovery.Result r = new ConceptDiscovery(pipe, settings, site, request.observedTau(),
                        request.batch(), progress).withCheckpoint(checkpoint).run(c.pairs());
                MaskMetadata meta = MaskMetadata.of(c, site, request.skillRatio(c), request.tau(),
                        request.selectRatio(), settings, request.fill());
                PruneMask mask = MatchedFill.build(pipe, siteWeights, layers, r.base(), r.target(), meta, fingerprint,
                        request.matchedPrompts(c), progress);
                Path maskFile = out.resolve(c.slug() + ".mask.safetensors");
                mask.write(maskFile);
                List<EraseResult.SweepMask> sweep = request.sweep() == null ? null
                        : sweepMasks(pipe, c, r, siteWeights, layers, meta, fingerprint);
                checkpoint.delete();
                masks.add(mask);
                results.add(conceptResult(c, meta, mask, r, callsPerRun, maskFile, sweep));
            }
            PruneMask all = masks.get(0);
            for (int i = 1; i < masks.size(); i++) {
                all = all.union(masks.get(i));
            }
            EditedModel.export(folder, WeightEdits.of(folder, all), edited, request.force());
            long siteTotal = 0;
            Set<Component> components = new LinkedHashSet<>();
            for (SiteLayer l : layers) {
                siteTotal += siteWeights.of(l.component()).info(l.parameter()).elementCount();
                components.add(l.component());
            }
            long componentTotal = 0;
            for (Component c : components) {
                componentTotal += siteWeights.of(c).parameterCount();
            }
            String componentNames = String.join("+", components.stream().map(Component::folderName).toList());
            EraseResult result = new EraseResult(request.model().toString(), results, all.count(), site.id(),
                    all.count() / (double) siteTotal, componentNames,
                    all.count() / (double) componentTotal, settings.steps(), settings.guidance(),
                    settings.height(), settings.width(), all.fingerprint(), Runtime.name(pipe.runtime().device()),
                    Runtime.name(pipe.runtime().dtype()), (System.nanoTime() - start) / 1e9);
            Json.write(out.resolve(SUMMARY), result);
            return result;
        }
    }

    /**
     * Where the job writes the edited model: {@code OUT/model/} for a diffusers folder,
     * {@code OUT/<checkpoint file name>} for a single file.
     */
    public static Path editedModel(ModelSource model, Path out) {
        return EditedModel.target(model, out.resolve(MODEL_DIR), out);
    }

    /** One mask per swept (skill ratio, tau), all from the statistics of the single discovery. */
    private List<EraseResult.SweepMask> sweepMasks(StableDiffusionPipeline pipe, Concept c, ConceptDiscovery.Result r,
                                                   SiteWeights siteWeights,
                                                   List<SiteLayer> layers, MaskMetadata main, String fingerprint) {
        List<EraseResult.SweepMask> entries = new ArrayList<>();
        for (double ratio : request.sweptSkillRatios(c)) {
            for (int t : request.sweptTausAtSite()) {
                PruneMask m = MatchedFill.build(pipe, siteWeights, layers, r.base(), r.target(), main.with(ratio, t),
                        fingerprint, request.matchedPrompts(c), progress);
                Path file = request.out().resolve(String.format(Locale.ROOT, "%s.r%s-t%d.mask.safetensors", c.slug(),
                        ratio, t));
                m.write(file);
                entries.add(new EraseResult.SweepMask(ratio, t, m.count(), request.out().relativize(file).toString()));
            }
        }
        return entries;
    }

    private String checkpointKey(String fingerprint, Concept c, Runtime runtime) {
        return checkpointKey(fingerprint, c, request.site(), request.observedTau(), request.batch(), request.settings(),
                runtime);
    }

    /** Identifies what a discovery checkpoint's statistics were recorded with: a resume must match all of it. */
    public static String checkpointKey(String fingerprint, Concept c, PruneSite site, int observedTau, int batch,
                                       GenerationSettings s, Runtime runtime) {
        return fingerprint + "|" + site.id() + "|tau=" + observedTau + "|batch=" + batch
                + "|" + c.promptsSha256() + "|steps=" + s.steps() + "|g=" + s.guidance() + "|sched=" + s.scheduler()
                + "|" + s.height() + "x" + s.width() + "|neg=" + s.negativePrompt()
                + (s.sdxl().isDefault() ? "" : "|sdxl=" + s.sdxl().key())
                + (runtime.dtype() == DataType.FLOAT32 && !runtime.device().isGpu() ? convKey() : "|compute=" + runtime);
    }

    /** Float32 convolutions on the CPU by another algorithm than the default record other statistics. */
    private static String convKey() {
        ConvAlgorithm conv = Runtime.convAlgorithm();
        return conv.isDefault() ? "" : "|conv=" + conv.id();
    }

    private EraseResult.ConceptResult conceptResult(Concept c, MaskMetadata meta, PruneMask mask,
                                                    ConceptDiscovery.Result r, int callsPerRun, Path maskFile,
                                                    List<EraseResult.SweepMask> sweep) {
        Map<String, Integer> perLayer = new LinkedHashMap<>();
        mask.indices().forEach((k, v) -> perLayer.put(k, v.length));
        return new EraseResult.ConceptResult(c.name(), c.kind(), request.out().relativize(maskFile).toString(),
                meta.skillRatio(), meta.tau(), meta.selectRatio(), c.pairs(), perLayer, mask.count(), r.seconds(),
                r.unetCalls(), ConceptDiscovery.referenceCalls(2 * c.pairs().size(), callsPerRun), sweep);
    }
}
