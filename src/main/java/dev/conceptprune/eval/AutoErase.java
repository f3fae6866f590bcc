package dev.conceptprune.eval;

import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.Progress;
import dev.conceptprune.metrics.Rate;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.BaseFingerprint;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.DiscoveryCheckpoint;
import dev.conceptprune.prune.EditedModel;
import dev.conceptprune.prune.EraseJob;
import dev.conceptprune.prune.MaskMetadata;
import dev.conceptprune.prune.MatchedFill;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.prune.SiteWeights;
import dev.conceptprune.prune.WeightEdits;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code erase --auto} (issue 18): one discovery per candidate site, then every candidate mask's model judged on
 * validation prompts the discovery did not use, with one detector: how often the concept still shows, how often
 * the image gets the verdict of the base model's image of the neutral prompt, how often the other prompts keep
 * the base model's verdict. The best candidate under the constraints is written as the erase output
 * ({@code <concept>.mask.safetensors}, {@code model/}), every candidate's figures to {@code auto.json} and
 * {@code auto-report.html} with the frontier plotted. Resumable: discoveries checkpoint, evaluations reuse
 * every image and verdict by content key.
 */
public final class AutoErase {
    /** The candidates' masks and evaluations inside the output folder. */
    public static final String DIR = "auto";
    /** The result's name inside the output folder. */
    public static final String RESULT = "auto.json";
    /** The report's name inside the output folder. */
    public static final String REPORT = "auto-report.html";

    private final AutoEraseRequest request;
    private final Progress progress;

    public AutoErase(AutoEraseRequest request, Progress progress) {
        this.request = request;
        this.progress = progress;
    }

    /** Runs the search and writes its outputs; returns what it measured and chose. */
    public AutoEraseResult run() {
        long start = System.nanoTime();
        Path out = request.out();
        Path dir = out.resolve(DIR);
        ModelSource base = ModelSource.open(request.model(), request.modelOptions());
        Path edited = EraseJob.editedModel(base, out);
        if (Files.exists(edited) && !request.force()) {
            throw new InputException(edited + " already exists; pass force to replace it");
        }
        Detector judge = new Kept(request.detector());
        EvalPlan basePlan = EvalPlanner.plan(List.of(request.model()), List.of("base"), request.modelOptions(),
                request.validation(), request.sampling(), List.of(), null, request.batch(), request.tiling());
        progress.say("auto: the base model on %d validation prompts and their neutral prompts",
                request.validation().rows().size());
        EvalRun.Summary baseRun = new EvalRun(basePlan, null, List.of(judge), request.batch(), dir.resolve("eval/base"),
                progress).run(request.force());
        Map<Integer, String> baseVerdicts = verdicts(basePlan, basePlan.models().get(0), baseRun);
        Map<Integer, String> neutralVerdicts = verdicts(basePlan, basePlan.neutralModel(), baseRun);
        AutoEraseResult.Figures baseFigures = figures(baseVerdicts, baseVerdicts, neutralVerdicts);

        List<AutoEraseRequest.Candidate> candidates = request.candidates();
        List<AutoEraseResult.CandidateResult> tried = new ArrayList<>();
        List<String> notTried = new ArrayList<>();
        Map<String, PruneMask> masks = new HashMap<>();
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(base);
             TensorSource unet = base.tensors(Component.UNET);
             SiteWeights weights = new SiteWeights(base)) {
            String fingerprint = BaseFingerprint.of(unet);
            Map<PruneSite, ConceptDiscovery.Result> discoveries = new LinkedHashMap<>();
            int k = 0;
            for (AutoEraseRequest.Candidate c : candidates) {
                k++;
                double minutes = (System.nanoTime() - start) / 60e9;
                if (request.maxMinutes() != null && minutes >= request.maxMinutes()) {
                    notTried.add(c.label());
                    continue;
                }
                long t0 = System.nanoTime();
                ConceptDiscovery.Result r = discoveries.computeIfAbsent(c.site(), s -> discover(pipe, s, fingerprint));
                int tau = c.site().timeDependent() ? request.tau() : 1;
                PruneMask mask = MatchedFill.build(pipe, weights, c.site().layers(pipe), r.base(), r.target(),
                        MaskMetadata.of(request.concept(), c.site(), c.skillRatio(), tau, 0.0, request.settings(),
                                c.fill()), fingerprint, matchedPrompts(), progress);
                Path maskFile = dir.resolve(c.slug() + ".mask.safetensors");
                mask.write(maskFile);
                masks.put(c.label(), mask);
                Path model = dir.resolve("models").resolve(c.slug());
                Path target = EditedModel.target(base, model, model);
                EditedModel.export(base, WeightEdits.of(base, mask), target, true);
                EvalPlan plan = EvalPlanner.plan(List.of(target), List.of(c.slug()), request.modelOptions(),
                        request.validation(), request.sampling(), List.of(), null, request.batch(), request.tiling())
                        .withoutNeutral();
                EvalRun.Summary run = new EvalRun(plan, null, List.of(judge), request.batch(),
                        dir.resolve("eval").resolve(c.slug()), progress).run(request.force());
                AtomicFiles.removeTree(model);
                AutoEraseResult.Figures f = figures(verdicts(plan, plan.models().get(0), run), baseVerdicts,
                        neutralVerdicts);
                tried.add(new AutoEraseResult.CandidateResult(c.label(), c.site().id(), c.skillRatio(), tau,
                        c.fill().kind().id(), mask.count(), out.relativize(maskFile).toString(), f, meets(f), false,
                        (System.nanoTime() - t0) / 1e9));
                progress.say("auto: %d/%d %s: %s %s, neutral %s, preserved %s", k, candidates.size(), c.label(),
                        request.conceptLabel(), HtmlReport.countAndInterval(f.concept()),
                        HtmlReport.countAndInterval(f.neutral()), HtmlReport.countAndInterval(f.preserved()));
            }
        } finally {
            request.detector().close();
        }
        if (!notTried.isEmpty()) {
            progress.warn("the time budget ran out: " + notTried.size() + " of " + candidates.size()
                    + " candidates were not tried");
        }
        tried = withFrontier(tried);
        AutoEraseResult.CandidateResult chosen = choose(tried);
        if (chosen != null) {
            PruneMask mask = masks.get(chosen.label());
            mask.write(out.resolve(request.concept().slug() + ".mask.safetensors"));
            EditedModel.export(base, WeightEdits.of(base, mask), edited, true);
        }
        AutoEraseResult result = new AutoEraseResult(request.detector().name(), request.conceptLabel(),
                request.maxTarget(), request.minPreserve(), baseFigures, tried, notTried,
                chosen == null ? null : chosen.label(), chosen != null && chosen.meetsConstraints(),
                (System.nanoTime() - start) / 1e9);
        Json.write(out.resolve(RESULT), result);
        writeReport(out.resolve(REPORT), result);
        return result;
    }

    private ConceptDiscovery.Result discover(StableDiffusionPipeline pipe, PruneSite site, String fingerprint) {
        int tau = site.timeDependent() ? request.tau() : 1;
        DiscoveryCheckpoint checkpoint = new DiscoveryCheckpoint(request.out().resolve(DIR).resolve("."
                + request.concept().slug() + "." + site.id() + ".discovery.safetensors"),
                EraseJob.checkpointKey(fingerprint, request.concept(), site, tau, request.batch(), request.settings(),
                        pipe.runtime()));
        ConceptDiscovery.Result r = new ConceptDiscovery(pipe, request.settings(), site, tau, request.batch(), progress)
                .withCheckpoint(checkpoint).run(request.concept().pairs());
        checkpoint.delete();
        return r;
    }

    private MatchedFill.Prompts matchedPrompts() {
        List<String> bases = request.concept().pairs().stream().map(PromptPair::base).toList();
        return new MatchedFill.Prompts(request.concept().pairs().stream().map(PromptPair::target).toList(),
                request.neutralPrompts() != null ? request.neutralPrompts() : bases,
                request.preservedPrompts() != null ? request.preservedPrompts() : bases);
    }

    /** The judge's verdict per row index for one model of a plan. */
    private static Map<Integer, String> verdicts(EvalPlan plan, EvalModel model, EvalRun.Summary run) {
        Map<Integer, String> out = new HashMap<>();
        for (EvalImage i : plan.images(model)) {
            ImageScores s = run.scores().get(i.file());
            if (s != null && !s.verdicts().isEmpty()) {
                out.put(i.index(), s.verdicts().values().iterator().next().bestLabel());
            }
        }
        return out;
    }

    /** A model's figures from its verdicts against the base model's and the neutral images'. */
    private AutoEraseResult.Figures figures(Map<Integer, String> own, Map<Integer, String> base,
                                            Map<Integer, String> neutral) {
        int targets = 0;
        int concept = 0;
        int neutralCount = 0;
        int others = 0;
        int kept = 0;
        for (Map.Entry<Integer, String> e : own.entrySet()) {
            String n = neutral.get(e.getKey());
            if (n != null) {
                targets++;
                concept += e.getValue().equals(request.conceptLabel()) ? 1 : 0;
                neutralCount += e.getValue().equals(n) ? 1 : 0;
            } else if (base.containsKey(e.getKey())) {
                others++;
                kept += e.getValue().equals(base.get(e.getKey())) ? 1 : 0;
            }
        }
        return new AutoEraseResult.Figures(Rate.of(concept, targets), Rate.of(neutralCount, targets),
                Rate.of(kept, others));
    }

    private boolean meets(AutoEraseResult.Figures f) {
        return f.concept().rate() <= request.maxTarget() && f.preserved().rate() >= request.minPreserve();
    }

    /** The candidates with their frontier flag: none of the others at least as good on all figures and better on one. */
    private static List<AutoEraseResult.CandidateResult> withFrontier(List<AutoEraseResult.CandidateResult> all) {
        List<AutoEraseResult.CandidateResult> out = new ArrayList<>();
        for (AutoEraseResult.CandidateResult c : all) {
            boolean dominated = all.stream().anyMatch(o -> o != c && dominates(o.figures(), c.figures()));
            out.add(new AutoEraseResult.CandidateResult(c.label(), c.site(), c.skillRatio(), c.tau(), c.fill(),
                    c.pruned(), c.mask(), c.figures(), c.meetsConstraints(), !dominated, c.seconds()));
        }
        return out;
    }

    private static boolean dominates(AutoEraseResult.Figures a, AutoEraseResult.Figures b) {
        double[] x = {-a.concept().rate(), a.neutral().rate(), a.preserved().rate()};
        double[] y = {-b.concept().rate(), b.neutral().rate(), b.preserved().rate()};
        boolean better = false;
        for (int i = 0; i < 3; i++) {
            if (x[i] < y[i]) {
                return false;
            }
            better |= x[i] > y[i];
        }
        return better;
    }

    /**
     * The choice: among the candidates meeting both constraints the most neutral, then the best preserved, then
     * the fewest pruned weights. When none meets both, erasing comes first: among those within --max-target the
     * best preserved, then the most neutral; else the least concept.
     */
    private AutoEraseResult.CandidateResult choose(List<AutoEraseResult.CandidateResult> all) {
        Comparator<AutoEraseResult.CandidateResult> neutralFirst = Comparator
                .comparingDouble((AutoEraseResult.CandidateResult c) -> -c.figures().neutral().rate())
                .thenComparingDouble(c -> -c.figures().preserved().rate())
                .thenComparingLong(AutoEraseResult.CandidateResult::pruned);
        Comparator<AutoEraseResult.CandidateResult> preservedFirst = Comparator
                .comparingDouble((AutoEraseResult.CandidateResult c) -> -c.figures().preserved().rate())
                .thenComparing(neutralFirst);
        return all.stream().filter(AutoEraseResult.CandidateResult::meetsConstraints).min(neutralFirst)
                .or(() -> all.stream().filter(c -> c.figures().concept().rate() <= request.maxTarget())
                        .min(preservedFirst))
                .or(() -> all.stream().min(Comparator.comparingDouble(
                        (AutoEraseResult.CandidateResult c) -> c.figures().concept().rate()).thenComparing(preservedFirst)))
                .orElse(null);
    }

    private void writeReport(Path file, AutoEraseResult result) {
        HtmlReport r = new HtmlReport("ConceptPrune erase --auto: '" + request.concept().name() + "'");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("model", request.model());
        params.put("judge", result.detector() + ", concept label '" + result.conceptLabel() + "'");
        params.put("validation prompts", request.validation().file());
        params.put("constraints", String.format(Locale.ROOT, "concept share <= %s, preserved >= %s",
                result.maxTarget(), result.minPreserve()));
        params.put("chosen", result.chosen() == null ? "none" : result.chosen()
                + (result.constraintsMet() ? "" : " (no candidate meets the constraints: the nearest)"));
        params.put("wall time", String.format(Locale.ROOT, "%.0f s", result.wallSeconds()));
        r.section("Run parameters", "").parameters(params);
        List<List<String>> rows = new ArrayList<>();
        rows.add(HtmlReport.cells("base model", "", HtmlReport.countAndInterval(result.base().concept()),
                HtmlReport.countAndInterval(result.base().neutral()), "", "", "", ""));
        List<HtmlReport.Point> points = new ArrayList<>();
        for (AutoEraseResult.CandidateResult c : result.candidates()) {
            AutoEraseResult.Figures f = c.figures();
            rows.add(HtmlReport.cells((c.label().equals(result.chosen()) ? "\u2605 " : "") + c.label(), c.pruned(),
                    HtmlReport.countAndInterval(f.concept()), HtmlReport.countAndInterval(f.neutral()),
                    HtmlReport.countAndInterval(f.preserved()), c.meetsConstraints() ? "yes" : "no",
                    c.frontier() ? "yes" : "", String.format(Locale.ROOT, "%.0f", c.seconds())));
            points.add(new HtmlReport.Point(c.label(), 1 - f.concept().rate(), f.preserved().rate()));
        }
        r.section("Candidates", "Concept: validation rows with a neutral prompt whose image the judge labels '"
                + result.conceptLabel() + "'. Neutral: those rows whose verdict equals the base model's on the "
                + "neutral prompt's image (same seed). Preserved: the other rows whose verdict equals the base "
                + "model's. Count / n, the rate and its 95% Wilson interval. Frontier: no other candidate is at "
                + "least as good on all three and better on one. \u2605: the choice.")
                .table("numeric", List.of("candidate", "pruned weights", "concept", "neutral", "preserved",
                        "meets constraints", "frontier", "seconds"), rows);
        if (!points.isEmpty()) {
            r.section("Frontier", "x: erasure (1 - the concept share); y: preservation.")
                    .tradeOff("erasure", "preservation", points);
        }
        if (!result.notTried().isEmpty()) {
            r.section("Not tried (time budget)", String.join(", ", result.notTried()));
        }
        r.write(file);
    }

    /** The judge for one evaluation run, which closes its detectors: the search closes it once, at the end. */
    private record Kept(Detector d) implements Detector {
        @Override
        public String name() {
            return d.name();
        }

        @Override
        public String key() {
            return d.key();
        }

        @Override
        public List<String> labels() {
            return d.labels();
        }

        @Override
        public List<dev.conceptprune.eval.Verdict> detect(List<BufferedImage> images) {
            return d.detect(images);
        }

        @Override
        public Map<String, Object> settings() {
            return d.settings();
        }
    }
}
