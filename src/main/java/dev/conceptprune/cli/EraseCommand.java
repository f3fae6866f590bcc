package dev.conceptprune.cli;

import dev.conceptprune.eval.AutoErase;
import dev.conceptprune.eval.AutoEraseRequest;
import dev.conceptprune.eval.AutoEraseResult;
import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.HtmlReport;
import dev.conceptprune.eval.PromptSet;
import dev.conceptprune.eval.SweepEvaluation;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.io.PromptFile;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.EraseJob;
import dev.conceptprune.prune.EraseRequest;
import dev.conceptprune.prune.EraseResult;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.prune.PruneFill;
import dev.conceptprune.prune.PruneSite;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Finds a concept's skilled neurons, writes the mask, the edited model and a summary. */
@Command(name = "erase", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Erase one or more concepts from a model with ConceptPrune.",
            "",
            "Records what the weights of the chosen --site read for prompts with and without the concept, "
                    + "selects the skilled weights with the Wanda score and zeroes them (or, with --fill, gives them noise or matched values). The sites: ffn2 and ffn1, "
                    + "the UNet feed-forward's output layer (ff.net.2, the paper's choice) and input layer "
                    + "(ff.net.0.proj), observed over the first --tau UNet calls; attn2-k and attn2-v, the "
                    + "cross-attention's key and value projections, which read the text states, and attn2-kv, both "
                    + "from one observation; text-mlp, the text encoder's MLP output layers.",
            "",
            "Writes OUT/model/ (the edited diffusers folder) or, for a single-file checkpoint, OUT/<its file name> "
                    + "(same layout, only pruned entries differ), OUT/<concept>.mask.safetensors and "
                    + "OUT/summary.json.",
            "",
            "With --auto the setting is chosen by measurement instead: every candidate site, skill ratio and fill "
                    + "is judged on --validate prompts with a detector, and the best under --max-target and "
                    + "--min-preserve becomes OUT/model (see --auto; docs/DEMO.md shows it on the toy world).",
            ""})
public final class EraseCommand implements Callable<Integer> {
    private static final Set<String> SWEEP_KEYS = Set.of("skill-ratio", "tau");

    @Mixin
    ModelOption model;

    @Mixin
    ConceptOptions concepts;

    @Option(names = "--skill-ratio", paramLabel = "R",
            description = "Fraction of each row's inputs that may be skilled (default: 0.01, objects 0.02).")
    Double skillRatio;

    @Option(names = "--tau", defaultValue = "10", paramLabel = "N",
            description = "UNet calls observed and united (default: ${DEFAULT-VALUE}).")
    int tau;

    @Option(names = "--select-ratio", defaultValue = "0", paramLabel = "R",
            description = "Prune weights skilled in more than this share of the tau calls (default: ${DEFAULT-VALUE}).")
    double selectRatio;

    @Option(names = "--site", defaultValue = "ffn2", paramLabel = "SITE",
            description = "Where to score and prune: ffn2 (default), ffn1, attn2-k, attn2-v, attn2-kv or "
                    + "text-mlp, as described above.")
    String site;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "Prompts per UNet batch during discovery (default: ${DEFAULT-VALUE}, so that the "
                    + "checkpoint after every batch keeps every finished prompt of a killed run). A larger batch is "
                    + "the one speed option that keeps the mask: 8 gave the same mask about 3x faster on the toy "
                    + "model and tiny-sd, while masks observed at half the image size (--height/--width) shared "
                    + "only 0.20 to 0.34 of their weights with it (weights in both over weights in either) and half "
                    + "the prompts 0.86 to 0.93 (bench --discovery-options measures it on your model). On SD 1.5 "
                    + "at 512x512 the global --dtype bf16 adds 1.7x (a CPU with avx512_bf16 or amx_bf16); its mask "
                    + "shared 0.96 to 0.99 of its weights with the float32 one on the test models.")
    int batch;

    @Mixin
    FillOptions fillOptions;

    @Option(names = "--neutral-prompts", paramLabel = "FILE",
            description = "With --fill matched: what each target prompt should read like, paired in order with "
                    + "them, e.g. the target prompt with the concept's words left out (default: the base prompts).")
    Path neutralPrompts;

    @Option(names = "--preserve-prompts", paramLabel = "FILE",
            description = "With --fill matched: prompts whose cross-attention keys and values must not change, "
                    + "e.g. neighbouring concepts to keep (default: the base prompts; the empty prompt always).")
    Path preservePrompts;

    @Mixin
    AutoOptions autoOptions;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    SdxlOptions sdxlOptions;

    @Mixin
    VaeTilingOption vaeTiling;

    @Option(names = "--sweep", paramLabel = "KEY=V1,V2",
            description = "Also write one mask per setting from the same discovery: skill-ratio=0.005,0.01 "
                    + "(or skill_ratio) and/or tau=5,10. With --auto: the candidates, site=ffn2,attn2-kv, "
                    + "skill-ratio=... and fill=zero,matched (tau is --tau).")
    List<String> sweep = new ArrayList<>();

    @Option(names = "--eval", paramLabel = "FILE",
            description = "Evaluate the base and edited model(s) on this prompt set (CSV or text) into OUT/eval; "
                    + "with --sweep, one edited model per setting and OUT/sweep-report.html with the trade-off plot (needs --clip).")
    Path evalPrompts;

    @Option(names = "--clip", paramLabel = "DIR", description = "CLIP model folder for scoring --eval images (see "
            + "eval --help for where to get one); needed with --sweep, whose sweep-report.html plots CLIP figures.")
    Path clip;

    @Option(names = "--labels", paramLabel = "TEXT",
            description = "Zero-shot labels for --eval (repeatable); the first names the erased concept.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output folder (required, except with --list-presets).")
    Path out;

    @Option(names = "--force", description = "Replace existing outputs.")
    boolean force;

    @Option(names = "--dry-run",
            description = "Print the prompt pairs, the planned UNet calls and the sweep settings (with --auto: the "
                    + "candidates), then stop.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        if (concepts.listPresets) {
            concepts.printPresets(o);
            return 0;
        }
        if (out == null) {
            throw new InputException("--out is required: the folder for the mask, the edited model and the summary");
        }
        Path modelPath = model.folder();
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", modelPath).clearOf("CLIP model", clip)
                .folder());
        PruneFill fill = fillOptions.fill(() -> PruneFill.ZERO);
        ModelSource folder = model.open();
        List<Concept> list = concepts.resolve(sampling.seed);
        int[] size = sampling.size(folder);
        GenerationSettings settings = sampling.settings(folder, "", size, 1).withSdxl(sdxlOptions.conditions(folder));
        validate(list);
        List<String> neutrals = neutralPrompts == null ? null
                : ErrorHandler.option("--neutral-prompts", () -> PromptFile.read(neutralPrompts).prompts());
        List<String> preserved = preservePrompts == null ? null
                : ErrorHandler.option("--preserve-prompts", () -> PromptFile.read(preservePrompts).prompts());
        int callsPerRun = EraseJob.unetCallsPerRun(folder, settings);
        if (autoOptions.auto) {
            return auto(o, modelPath, folder, list, settings, callsPerRun, neutrals, preserved);
        }
        PruneSite where = ErrorHandler.option("--site", () -> PruneSite.parse(site));
        String limit = "the " + callsPerRun + " UNet calls of a " + settings.steps() + "-step run";
        if (where.timeDependent() && tau > callsPerRun) {
            throw new InputException("--tau " + tau + " exceeds " + limit);
        }
        if (autoOptions.strayWithoutAuto()) {
            throw new InputException("--validate, the judge, the constraints and --max-minutes go with --auto");
        }
        EraseRequest request = new EraseRequest(modelPath, model.checkpoint.options(), list, where, skillRatio, tau,
                selectRatio, batch, settings, fill, neutrals, preserved, sweepRequest(where, callsPerRun, limit), out,
                force);
        concepts.toyWorldWarning(modelPath, list).ifPresent(Main.progress(spec)::warn);
        PromptWarnings warnings = PromptWarnings.of(folder, Main.progress(spec)).concepts(list);
        if (dryRun) {
            printPlan(o, request);
            o.flush();
            return 0;
        }
        Path edited = EraseJob.editedModel(folder, out);
        if (Files.exists(edited) && !force) {
            throw new InputException(edited + " already exists; use --force to replace it");
        }
        PromptSet evalSet = null;
        if (evalPrompts != null) {
            if (!sweep.isEmpty() && clip == null) {
                throw new InputException("--eval with --sweep needs --clip: sweep-report.html plots erasure and "
                        + "preservation, both measured with CLIP");
            }
            EvalCommand.checkClip(clip, labels);
            evalSet = EvalCommand.plan(List.of(modelPath), model.checkpoint.options(), evalPrompts, sampling, labels, null, batch,
                    vaeTiling.tiling(folder)).prompts();
        } else if (clip != null || !labels.isEmpty()) {
            throw new InputException("--clip and --labels go with --eval");
        } else if (vaeTiling.given()) {
            throw new InputException("--vae-tiling goes with --eval: erase decodes no image without it");
        }
        MemoryPlanNote.say(StableDiffusionPipeline.check(folder, settings.scheduler(), size[0], size[1],
                where.timeDependent() ? (settings.guidance() > 1 ? 2 : 1) * batch : 0, 0, DecodeTiling.AUTO),
                Main.progress(spec));
        if (evalSet != null) {
            warnings.file(evalSet);
        }
        EraseResult result = new EraseJob(request, Main.progress(spec)).run();
        for (EraseResult.ConceptResult c : result.concepts()) {
            // Text-state sites read the text encoder only: no UNet calls to compare with the reference's.
            String calls = where.timeDependent() ? String.format("%d UNet calls; the reference procedure makes %d",
                    c.discoveryUnetCalls(), c.referenceUnetCalls()) : "text encoder only, no UNet calls";
            o.printf("%s: %,d weights pruned, discovery %.1f s (%s)%n", c.concept(), c.pruned(),
                    c.discoverySeconds(), calls);
        }
        if (evalPrompts != null) {
            Path report = new SweepEvaluation(folder, out, clip, labels, batch).run(result,
                    models -> EvalCommand.plan(models, model.checkpoint.options(), evalPrompts, sampling, labels, null, batch,
                            vaeTiling.tiling(folder)), force,
                    Main.progress(spec));
            o.printf("evaluation: %s%n", report);
        }
        o.printf("edited model: %s%nsummary: %s%n", edited, out.resolve(EraseJob.SUMMARY));
        o.flush();
        return 0;
    }

    /** {@code erase --auto}: the candidates from the sweep (or the defaults), judged on --validate. */
    private Integer auto(PrintWriter o, Path modelPath, ModelSource folder, List<Concept> list,
                         GenerationSettings settings, int callsPerRun, List<String> neutrals, List<String> preserved) {
        AutoOptions a = autoOptions;
        if (list.size() != 1) {
            throw new InputException("--auto chooses the setting of one concept; name one");
        }
        if (a.validate == null) {
            throw new InputException("--auto needs --validate: the prompts that judge the candidates");
        }
        if (a.validateLimit != null && a.validateLimit < 1) {
            throw new InputException("--validate-limit must be >= 1, got " + a.validateLimit);
        }
        if (evalPrompts != null || clip != null || !labels.isEmpty()) {
            throw new InputException("--auto judges with its own detector: --eval, --clip and --labels do not go with it");
        }
        if (fillOptionsGiven() && sweep.stream().anyMatch(x -> x.startsWith("fill="))) {
            throw new InputException("--fill and --sweep fill=... both name the fills: give one");
        }
        SweepSpec sweeps = new SweepSpec(sweep, Set.of("site", "skill-ratio", "fill"));
        boolean siteGiven = spec.commandLine().getParseResult().hasMatchedOption("--site");
        List<PruneSite> sites = sweeps.has("site") ? sweeps.values("site", PruneSite.FFN2, PruneSite::parse)
                : siteGiven ? List.of(ErrorHandler.option("--site", () -> PruneSite.parse(site)))
                : List.of(PruneSite.FFN2, PruneSite.ATTN2_V, PruneSite.ATTN2_KV);
        List<Double> ratios = sweeps.has("skill-ratio") ? sweeps.ratios("skill-ratio", 1)
                : skillRatio != null ? List.of(skillRatio) : List.of(0.01, 0.05, 0.1, 0.2, 0.4);
        List<PruneFill> fills = sweeps.has("fill") ? sweeps.values("fill", PruneFill.ZERO, f -> PruneFill.of(f, 0))
                : fillOptionsGiven() ? List.of(fillOptions.fill(() -> PruneFill.ZERO)) : List.of(PruneFill.ZERO, PruneFill.MATCHED);
        if (sites.stream().anyMatch(PruneSite::timeDependent) && tau > callsPerRun) {
            throw new InputException("--tau " + tau + " exceeds the " + callsPerRun + " UNet calls of a "
                    + settings.steps() + "-step run");
        }
        PromptSet validation = ErrorHandler.option("--validate", () -> {
            PromptSet p = PromptSet.read(a.validate);
            return a.validateLimit == null ? p : p.subset(a.validateLimit, null, List.of());
        });
        Detector judge = Judges.detector(a.textureStyles, a.nudenet, a.classifier);
        if (judge == null) {
            throw new InputException("--auto needs a judge: --texture-styles, --nudenet or --classifier");
        }
        String label = Judges.conceptLabel(judge, a.conceptLabel, "--concept-label");
        ErrorHandler.option("--validate", () -> EvalCommand.plan(List.of(modelPath), model.checkpoint.options(),
                a.validate, sampling, List.of(), null, batch, vaeTiling.tiling(folder)));
        AutoEraseRequest request = new AutoEraseRequest(modelPath, model.checkpoint.options(), list.get(0), sites,
                ratios, fills, tau, batch, settings, neutrals, preserved, validation, EvalCommand.defaults(sampling),
                vaeTiling.tiling(folder), judge, label, a.maxTarget, a.minPreserve, a.maxMinutes, out, force);
        if (dryRun) {
            o.printf("%d candidates, each judged on %d validation rows by %s ('%s'):%n", request.candidates().size(),
                    validation.rows().size(), judge.name(), label);
            request.candidates().forEach(c -> o.printf("  %s%n", c.label()));
            o.flush();
            return 0;
        }
        Path edited = EraseJob.editedModel(folder, out);
        if (Files.exists(edited) && !force) {
            throw new InputException(edited + " already exists; use --force to replace it");
        }
        AutoEraseResult r = new AutoErase(request, Main.progress(spec)).run();
        o.printf("%-32s %9s %22s %22s %22s%n", "candidate", "pruned", label, "neutral", "preserved");
        for (AutoEraseResult.CandidateResult c : r.candidates()) {
            o.printf("%-32s %9d %22s %22s %22s%s%n", (c.label().equals(r.chosen()) ? "* " : "  ") + c.label(),
                    c.pruned(), HtmlReport.countAndInterval(c.figures().concept()),
                    HtmlReport.countAndInterval(c.figures().neutral()),
                    HtmlReport.countAndInterval(c.figures().preserved()), c.frontier() ? "  frontier" : "");
        }
        if (r.chosen() != null) {
            o.printf("chosen: %s%s%nedited model: %s%n", r.chosen(), r.constraintsMet() ? ""
                    : " (no candidate meets --max-target and --min-preserve: the nearest)", edited);
        }
        o.printf("report: %s%n", out.resolve(AutoErase.REPORT));
        o.flush();
        return 0;
    }

    private boolean fillOptionsGiven() {
        return spec.commandLine().getParseResult().hasMatchedOption("--fill");
    }

    /** The --sweep options, every value checked; null without a sweep. */
    private EraseRequest.Sweep sweepRequest(PruneSite where, int callsPerRun, String limit) {
        SweepSpec sweeps = new SweepSpec(sweep, SWEEP_KEYS);
        if (sweep.isEmpty()) {
            return null;
        }
        List<Double> ratios = sweeps.has("skill-ratio") ? sweeps.ratios("skill-ratio", 1) : List.of();
        List<Integer> taus = sweeps.has("tau")
                ? sweeps.counts("tau", tau, where.timeDependent() ? callsPerRun : Integer.MAX_VALUE, limit)
                : List.of();
        if (sweeps.has("tau") && !where.timeDependent()) {
            Main.progress(spec).warn("--sweep tau has no effect: site " + where.id()
                    + " depends on the prompt only, not on the time step");
        }
        return new EraseRequest.Sweep(ratios, taus);
    }

    private void validate(List<Concept> list) {
        if (skillRatio != null && !(skillRatio > 0 && skillRatio <= 1)) {
            throw new InputException("--skill-ratio must be in (0, 1], got " + skillRatio);
        }
        if (tau < 1) {
            throw new InputException("--tau must be >= 1, got " + tau);
        }
        if (!(selectRatio >= 0 && selectRatio < 1)) {
            throw new InputException("--select-ratio must be in [0, 1), got " + selectRatio);
        }
        if (batch < 1) {
            throw new InputException("--batch must be >= 1, got " + batch);
        }
        if (list.isEmpty()) {
            throw new InputException("name a concept: --style, --nudity, --object, --gender, --memorized or "
                    + "--base-prompts with --target-prompts");
        }
    }

    private void printPlan(PrintWriter o, EraseRequest request) {
        for (Concept c : request.concepts()) {
            o.printf("concept %s (%s), %d prompt pairs:%n", c.name(), c.kind(), c.pairs().size());
            for (PromptPair p : c.pairs()) {
                o.printf("  seed %d  base: \"%s\"  target: \"%s\"%n", p.seed(), p.base(), p.target());
            }
            int batches = request.discoveryBatches(c);
            if (request.site().timeDependent()) {
                o.printf("  planned: %d UNet calls (%d batches of up to %d prompts x tau %d)%n",
                        request.discoveryUnetCalls(c), batches, request.batch(), request.observedTau());
            } else {
                o.printf("  planned: 0 UNet calls (%d text-encoder batches of up to %d prompts; site %s depends "
                        + "on the prompt only)%n", batches, request.batch(), request.site().id());
            }
            if (request.sweep() != null) {
                o.printf("  sweep: %d settings from this discovery (skill ratio %s%s)%n", request.sweepSettings(c),
                        list(request.sweptSkillRatios(c)),
                        request.site().timeDependent() ? " x tau " + list(request.sweptTausAtSite()) : "");
            }
        }
    }

    private static String list(List<?> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
