package dev.conceptprune.toyworld;

import dev.conceptprune.attack.PromptAttack;
import dev.conceptprune.attack.PromptAttackMetrics;
import dev.conceptprune.attack.PromptAttackRequest;
import dev.conceptprune.attack.RecoveryAttack;
import dev.conceptprune.attack.RecoveryResult;
import dev.conceptprune.attack.RecoverySettings;
import dev.conceptprune.attack.UnlearnDiffAtk;
import dev.conceptprune.io.Progress;
import dev.conceptprune.metrics.Rate;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepProgress;
import dev.conceptprune.prune.BaseFingerprint;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.EditedModel;
import dev.conceptprune.prune.MaskKey;
import dev.conceptprune.prune.MaskMetadata;
import dev.conceptprune.prune.MatchedFill;
import dev.conceptprune.prune.PruneFill;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.SiteWeights;
import dev.conceptprune.prune.WeightEdits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's robustness study ({@code demo --attack}, issue 17): for each erasure setting and each fill, the
 * erased model and the model the recovery attack makes of it, and UnlearnDiffAtk against the erased models and
 * against a prompt filter (the base model with the style phrase deleted, attacked towards the base model's images
 * of the full prompts) that shows the attack's strength. Every variant is judged on the same held-out prompts and
 * seeds as the demo's images; the files go under {@code robustness/}.
 */
public final class RobustnessStudy {
    /**
     * What the study runs besides the demo's own settings.
     *
     * @param settings the erasure settings to attack (each one discovery)
     * @param fills    the fills of each setting's erased models
     * @param search   UnlearnDiffAtk's search
     * @param recovery the recovery attack's settings (its sites are each setting's own)
     */
    public record Plan(List<DemoSetting> settings, List<PruneFill> fills, UnlearnDiffAtk.Settings search,
                       RecoverySettings recovery) {
        public Plan {
            settings = List.copyOf(settings);
            fills = List.copyOf(fills);
        }
    }

    /** The study's folder inside the demo's output folder. */
    public static final String DIR = "robustness";
    /** The study's figures inside the demo's output folder. */
    public static final String RESULT = "robustness.json";
    private static final int SIZE = 64;

    private final DemoRequest request;
    private final Plan plan;
    private final Progress progress;
    private final Path dir;

    public RobustnessStudy(DemoRequest request, Plan plan, Progress progress) {
        this.request = request;
        this.plan = plan;
        this.progress = progress;
        this.dir = request.out().resolve(DIR);
    }

    /** Runs every variant on the held-out prompts {@code targets} (asking for the concept) and {@code others}. */
    public RobustnessResult run(Concept concept, List<ToyPrompt> targets, List<ToyPrompt> others) {
        long start = System.nanoTime();
        String style = ToyWorldPrompts.styleLabel(request.concept());
        List<ToyPrompt> all = new ArrayList<>(targets);
        all.addAll(others);
        List<String> targetTexts = targets.stream().map(ToyPrompt::text).toList();
        List<String> filtered = targetTexts.stream().map(t -> withoutStyle(t, style)).toList();
        List<Long> targetSeeds = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            targetSeeds.add((long) i);
        }
        List<RobustnessResult.Variant> variants = new ArrayList<>();
        DiffusersFolder base = DiffusersFolder.open(request.model());
        GenerationSettings gen = settings();
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(base);
             TensorSource unet = base.tensors(Component.UNET)) {
            variants.add(measured("base model", null, null, false, pipe, all, targets.size(), null, null));
            List<ToyPrompt> filteredPrompts = filtered.stream().map(ToyPrompt::of).toList();
            PromptAttackMetrics filterAttack = attack("prompt-filter", request.model(), filtered, targetTexts,
                    targetSeeds);
            RobustnessResult.Variant filter = measured("prompt filter (style phrase deleted)", null, null, false, pipe,
                    filteredPrompts, filteredPrompts.size(), filterAttack, null);
            variants.add(filter);
            String fingerprint = BaseFingerprint.of(unet);
            for (DemoSetting s : plan.settings()) {
                ConceptDiscovery.Result r = new ConceptDiscovery(pipe, gen, s.site(), s.tau(), request.batch(),
                        progress).run(concept.pairs());
                for (PruneFill fill : plan.fills()) {
                    if (fill.kind() == PruneFill.Kind.MATCHED && !s.site().readsTextStates()) {
                        continue;
                    }
                    PruneMask mask;
                    try (SiteWeights weights = new SiteWeights(base)) {
                        mask = MatchedFill.build(pipe, weights, s.site().layers(pipe), r.base(), r.target(),
                                MaskMetadata.of(concept, s.site(), s.skillRatio(), s.tau(), 0.0, gen, fill),
                                fingerprint, ToyWorldPrompts.matched(concept), progress);
                    }
                    String slug = s.slug() + "-" + fill.kind().id();
                    Path edited = dir.resolve("models").resolve(slug);
                    mask.write(dir.resolve("masks").resolve(slug + ".mask.safetensors"));
                    EditedModel.export(base, WeightEdits.of(base, mask), edited, true);
                    PromptAttackMetrics attacked = attack(slug, edited, targetTexts, targetTexts, targetSeeds);
                    variants.add(measured(s.label() + ", " + fill.kind().id() + " fill", s.site().id(),
                            fill.kind().id(), false, edited, all, targets.size(), attacked, null));
                    ModelSource editedSource = ModelSource.open(edited);
                    RecoverySettings rs = new RecoverySettings(List.of(s.site()), plan.recovery().topRatio(),
                            plan.recovery().iterations(), plan.recovery().tolerance(), plan.recovery().minZeroShare());
                    Path recoveryDir = dir.resolve("recover-" + slug);
                    RecoveryResult rec = new RecoveryAttack(editedSource, rs, progress).run(recoveryDir, true);
                    Path recovered = RecoveryAttack.recoveredModel(editedSource, recoveryDir);
                    RobustnessResult.Recovery figures = recoveryFigures(base, mask, editedSource, ModelSource.open(recovered),
                            rec);
                    variants.add(measured(s.label() + ", " + fill.kind().id() + " fill, after recovery",
                            s.site().id(), fill.kind().id(), true, recovered, all, targets.size(), null, figures));
                    progress.say("robustness: %s: %s in %s of target images after recovery (%d of %d pruned "
                                    + "weights located)", slug, style, pct(variants.get(variants.size() - 1).concept()),
                            figures.locatedPruned(), figures.pruned());
                }
            }
        }
        return new RobustnessResult(style, request.steps(), request.guidance(), plan.search().tokens(),
                plan.search().iterations(), plan.search().rounds(), plan.recovery().topRatio(), variants,
                (System.nanoTime() - start) / 1e9);
    }

    private GenerationSettings settings() {
        return new GenerationSettings("", "", request.steps(), request.guidance(), null, 0, SIZE, SIZE, 1, null);
    }

    private PromptAttackMetrics attack(String name, Path model, List<String> prompts, List<String> targets,
                                       List<Long> seeds) {
        PromptAttackRequest r = new PromptAttackRequest(model, request.model(), prompts, targets, seeds,
                plan.search(), settings(), ToyWorldPrompts.styleLabel(request.concept()),
                dir.resolve("attack-" + name), true);
        return new PromptAttack(r, TextureStyleDetector::new, progress).run().metrics();
    }

    private RobustnessResult.Variant measured(String name, String site, String fill, boolean recovered, Path model,
                                              List<ToyPrompt> prompts, int targetCount, PromptAttackMetrics attack,
                                              RobustnessResult.Recovery recovery) {
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(DiffusersFolder.open(model))) {
            return measured(name, site, fill, recovered, p, prompts, targetCount, attack, recovery);
        }
    }

    /** Draws every prompt (seed = its index among the targets, or among the others) and detects the styles. */
    private RobustnessResult.Variant measured(String name, String site, String fill, boolean recovered,
                                              StableDiffusionPipeline pipe, List<ToyPrompt> prompts, int targetCount,
                                              PromptAttackMetrics attack, RobustnessResult.Recovery recovery) {
        List<String> texts = prompts.stream().map(ToyPrompt::text).toList();
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            seeds.add((long) i);
        }
        StepProgress steps = new StepProgress(progress, "robustness: " + name,
                (texts.size() + request.batch() - 1) / request.batch(), request.steps());
        List<float[]> images = pipe.generateEach(texts, seeds, settings(), request.batch(), steps);
        steps.finish();
        TextureStyleDetector detector = new TextureStyleDetector();
        StyleTally tally = new StyleTally(ToyWorldPrompts.styleLabel(request.concept()));
        for (int i = 0; i < prompts.size(); i++) {
            tally.add(prompts.get(i), i < targetCount, detector.classify(images.get(i), SIZE, SIZE));
        }
        return new RobustnessResult.Variant(name, site, fill, recovered, tally.concept(),
                attack == null ? null : attack.conceptUnderAttack(), tally.ownStyle(), tally.falseStyle(),
                attack == null ? null : attack.secondsPerPrompt(), recovery);
    }

    /** Where the recovery struck: located entries against the true pruned positions, signs against the base. */
    private static RobustnessResult.Recovery recoveryFigures(ModelSource base, PruneMask mask, ModelSource edited,
                                                             ModelSource recovered, RecoveryResult rec) {
        long located = 0;
        long locatedPruned = 0;
        long set = 0;
        long agree = 0;
        for (RecoveryResult.Matrix m : rec.recovered()) {
            located += m.missing();
        }
        try (SiteWeights b = new SiteWeights(base); SiteWeights d = new SiteWeights(edited);
             SiteWeights r = new SiteWeights(recovered)) {
            for (var e : mask.indices().entrySet()) {
                Component c = MaskKey.component(e.getKey());
                String parameter = MaskKey.parameter(e.getKey());
                float[] before = b.of(c).readFloats(parameter);
                float[] erased = d.of(c).readFloats(parameter);
                float[] after = r.of(c).readFloats(parameter);
                boolean attacked = rec.recovered().stream().anyMatch(m -> m.parameter().equals(e.getKey()));
                for (int i : e.getValue()) {
                    if (attacked && erased[i] == 0) {
                        locatedPruned++;
                    }
                    if (after[i] != 0 && attacked) {
                        set++;
                        agree += Math.signum(after[i]) == Math.signum(before[i]) ? 1 : 0;
                    }
                }
            }
        }
        return new RobustnessResult.Recovery(mask.count(), located, locatedPruned, set, Rate.of(agree, set),
                rec.wallSeconds());
    }

    /** The prompt without its style phrase: what a prompt filter lets through. */
    static String withoutStyle(String prompt, String style) {
        return prompt.replace(" in the style of " + style, "").trim();
    }

    private static String pct(Rate r) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * r.rate());
    }
}
