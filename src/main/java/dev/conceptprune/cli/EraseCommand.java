package dev.conceptprune.cli;

import dev.conceptprune.eval.PromptSet;
import dev.conceptprune.eval.SweepEvaluation;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.EraseJob;
import dev.conceptprune.prune.EraseRequest;
import dev.conceptprune.prune.EraseResult;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Finds a concept's skilled neurons, writes the mask, the edited model and a summary. */
@Command(name = "erase", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Erase one or more concepts with ConceptPrune: record feed-forward activations for",
            "prompts with and without the concept (first --tau UNet calls only), select the skilled",
            "ff.net.2 weights with the Wanda score, and zero them.",
            "Writes OUT/model/ (edited diffusers folder) or, for a single-file checkpoint, OUT/<its file name>",
            "(same layout, only pruned entries differ), OUT/<concept>.mask.safetensors, OUT/summary.json."})
public final class EraseCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Mixin
    ConceptOptions concepts;

    @Option(names = "--skill-ratio", description = "Fraction of each row's inputs that may be skilled (default: 0.01, objects 0.02).")
    Double skillRatio;

    @Option(names = "--tau", defaultValue = "10", description = "UNet calls observed and united (default: ${DEFAULT-VALUE}).")
    int tau;

    @Option(names = "--select-ratio", defaultValue = "0", description = "Prune weights skilled in more than this share of the tau calls (default: ${DEFAULT-VALUE}).")
    double selectRatio;

    @Option(names = "--site", defaultValue = "ffn2", paramLabel = "SITE",
            description = "Where to score and prune: ffn2 (the paper's ff.net.2, default), ffn1 (ff.net.0.proj), "
                    + "attn2-k, attn2-v (cross-attention key/value), text-mlp (text encoder fc2).")
    String site;

    @Option(names = "--batch", defaultValue = "1", description = "Prompts per UNet batch during discovery (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--sweep", paramLabel = "KEY=V1,V2",
            description = "Also write one mask per setting from the same discovery: skill_ratio=0.005,0.01 and/or tau=5,10.")
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

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--force", description = "Replace existing outputs.")
    boolean force;

    @Option(names = "--dry-run", description = "Print the prompt pairs and the planned UNet calls, then stop.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path modelPath = model.folder();
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", modelPath).clearOf("CLIP model", clip)
                .folder());
        ModelSource folder = ModelSource.open(modelPath);
        List<Concept> list = concepts.resolve(sampling.seed);
        int[] size = sampling.size(folder);
        GenerationSettings settings = sampling.settings("", size, 1);
        validate(list);
        PrintWriter o = spec.commandLine().getOut();
        if (dryRun) {
            PromptWarnings.of(folder, spec.commandLine().getErr()).concepts(list);
            printPlan(o, list);
            o.flush();
            return 0;
        }
        Path edited = EraseJob.editedModel(folder, out);
        if (Files.exists(edited) && !force) {
            throw new InputException(edited + " already exists; use --force to replace it");
        }
        if (evalPrompts != null && !(folder instanceof DiffusersFolder)) {
            throw new InputException("--eval needs a diffusers model folder; " + modelPath
                    + " is a single-file checkpoint");
        }
        PruneSite where = ErrorHandler.option("--site", () -> PruneSite.parse(site));
        PromptSet evalSet = null;
        if (evalPrompts != null) {
            if (!sweep.isEmpty() && clip == null) {
                throw new InputException("--eval with --sweep needs --clip: sweep-report.html plots erasure and "
                        + "preservation, both measured with CLIP");
            }
            EvalCommand.checkClip(clip, labels);
            evalSet = EvalCommand.plan(List.of(modelPath), evalPrompts, sampling, labels, null, batch).prompts();
        } else if (clip != null || !labels.isEmpty()) {
            throw new InputException("--clip and --labels go with --eval");
        }
        SweepSpec sweeps = new SweepSpec(sweep, Set.of("skill_ratio", "tau"));
        List<Integer> taus = sweeps.counts("tau", tau);
        int observed = Math.max(tau, Collections.max(taus));
        int callsPerRun = EraseJob.unetCallsPerRun(folder, settings);
        if (where.timeDependent() && observed > callsPerRun) {
            throw new InputException("--tau " + observed + " exceeds the " + callsPerRun + " UNet calls of a "
                    + settings.steps() + "-step run");
        }
        StableDiffusionPipeline.check(folder, settings.scheduler(), size[0], size[1],
                where.timeDependent() ? (settings.guidance() > 1 ? 2 : 1) * batch : 0, 0);
        EraseRequest.Sweep sweepRequest = sweeps.isEmpty() ? null : new EraseRequest.Sweep(
                sweeps.has("skill_ratio") ? sweeps.ratios("skill_ratio", 1) : List.of(), taus);
        PromptWarnings warnings = PromptWarnings.of(folder, spec.commandLine().getErr()).concepts(list);
        if (evalSet != null) {
            warnings.file(evalSet);
        }
        EraseResult result = new EraseJob(new EraseRequest(modelPath, list, where, skillRatio, tau, selectRatio, batch,
                settings, sweepRequest, out, force), Main.progress(spec)).run();
        for (EraseResult.ConceptResult c : result.concepts()) {
            // Text-state sites read the text encoder only: no UNet calls to compare with the reference's.
            String calls = where.timeDependent() ? String.format("%d UNet calls; the reference procedure makes %d",
                    c.discoveryUnetCalls(), c.referenceUnetCalls()) : "text encoder only, no UNet calls";
            o.printf("%s: %,d weights pruned, discovery %.1f s (%s)%n", c.concept(), c.pruned(),
                    c.discoverySeconds(), calls);
        }
        if (evalPrompts != null) {
            Path report = new SweepEvaluation((DiffusersFolder) folder, out, clip, labels, batch).run(result,
                    models -> EvalCommand.plan(models, evalPrompts, sampling, labels, null, batch), force,
                    Main.progress(spec));
            o.printf("evaluation: %s%n", report);
        }
        o.printf("edited model: %s%nsummary: %s%n", edited, out.resolve(EraseJob.SUMMARY));
        o.flush();
        return 0;
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

    private void printPlan(PrintWriter o, List<Concept> list) {
        for (Concept c : list) {
            o.printf("concept %s (%s), %d prompt pairs:%n", c.name(), c.kind(), c.pairs().size());
            for (PromptPair p : c.pairs()) {
                o.printf("  seed %d  base: \"%s\"  target: \"%s\"%n", p.seed(), p.base(), p.target());
            }
            int batches = (2 * c.pairs().size() + batch - 1) / batch;
            o.printf("  planned: %d UNet calls (%d batches of up to %d prompts x tau %d)%n", batches * tau, batches,
                    batch, tau);
        }
    }
}
