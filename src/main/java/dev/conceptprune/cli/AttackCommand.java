package dev.conceptprune.cli;

import dev.conceptprune.attack.AttackExecution;
import dev.conceptprune.attack.PromptAttack;
import dev.conceptprune.attack.PromptAttackMetrics;
import dev.conceptprune.attack.PromptAttackRequest;
import dev.conceptprune.attack.RecoveryAttack;
import dev.conceptprune.attack.RecoveryResult;
import dev.conceptprune.attack.RecoverySettings;
import dev.conceptprune.attack.UnlearnDiffAtk;
import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.DetectorFactory;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.io.Staging;
import dev.conceptprune.io.Progress;
import dev.conceptprune.io.PromptFile;
import dev.conceptprune.metrics.Rate;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.pipeline.GenerationSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Attacks an edited model to bring an erased concept back; each method has its own options. */
@Command(name = "attack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Attack an edited model to bring an erased concept back.",
            "",
            "--method recover is the weight-recovery attack of \"Roots Beneath the Cut\" (Zhang et al., CVPR 2026). "
                    + "The attacker needs only the edited model: in each weight matrix of the chosen --site, the exact "
                    + "zeros are the pruned entries. A low-rank matrix completion (soft-thresholded SVD) estimates "
                    + "them, the --top-ratio share with the largest estimates keeps its sign and the rest stays 0, "
                    + "and each kept entry takes the largest magnitude of its row, so that the revived weights "
                    + "dominate their neuron. Matrices with fewer zeros than --min-zero-share are left as they are.",
            "",
            "A model erased with 'erase --fill gaussian' has no zeros at the pruned positions, which hides them "
                    + "from this attack.",
            "",
            "--method unlearndiffatk is the white-box prompt attack UnlearnDiffAtk (Zhang et al., ECCV 2024). For each "
                    + "of --prompts, --reference-model draws the target image of its target prompt; --tokens tokens put "
                    + "before the prompt are optimised, as distributions over the vocabulary, against the attacked "
                    + "model's own denoising loss towards that image at random timesteps, then projected to real "
                    + "tokens; the attacked model draws the adversarial prompt. With a detector every round is judged "
                    + "and a success ends the prompt's attack. An interrupted run resumes. With --engine spark "
                    + "the prompts are attacked on Apache Spark's executors, one task per prompt, with the same "
                    + "results (docs/SPARK.md).",
            "",
            "unlearndiffatk writes OUT/images/ (target, plain and attack images), OUT/manifest.jsonl, "
                    + "OUT/metrics.json (how often the concept shows without and under attack, with 95%% intervals) "
                    + "and OUT/report.html.",
            "",
            "Writes OUT/model/ (the recovered diffusers folder) or, for a single-file checkpoint, OUT/<its file "
                    + "name> (same layout, only recovered entries differ), and OUT/recovery.json.",
            ""})
public final class AttackCommand implements Callable<Integer> {
    private static final List<String> METHODS = List.of("recover", PromptAttack.METHOD);

    @Option(names = "--method", required = true, paramLabel = "METHOD",
            description = "The attack: recover or unlearndiffatk (both described above).")
    String method;

    @Option(names = "--iterations", paramLabel = "N",
            description = "recover: most iterations of the matrix completion (default: 500); unlearndiffatk: "
                    + "optimisation steps per round (default: 20).")
    Integer iterations;

    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "The edited model to attack: a diffusers folder or a single-file checkpoint. For "
                    + "unlearndiffatk with --engine spark also a URI of one of Hadoop's file systems (hdfs, s3a), as are "
                    + "--reference-model, --prompts, --target-prompts, --nudenet, --classifier and --out "
                    + "(docs/SPARK.md).")
    String modelLocation;
    private Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output folder: the recovered model and its summary, or the attack's images and figures.")
    String outLocation;
    private Path out;

    @Option(names = "--force", description = "Replace existing outputs.")
    boolean force;

    @Mixin
    CheckpointOptions checkpoint;

    /** unlearndiffatk's prompts: here or on Spark. */
    @Mixin
    EngineOptions engine;

    /** unlearndiffatk's images; prompt i's seed is --seed plus i. */
    @Mixin(name = "sampling")
    SamplingOptions sampling;

    @ArgGroup(exclusive = false, heading = "%nOptions of --method recover:%n")
    RecoverOptions recover = new RecoverOptions();

    @ArgGroup(exclusive = false, heading = "%nOptions of --method unlearndiffatk:%n")
    UnlearnDiffAtkOptions unlearnDiffAtk = new UnlearnDiffAtkOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!METHODS.contains(method)) {
            throw new InputException("--method must be one of " + String.join(", ", METHODS) + "; got '" + method
                    + "'");
        }
        refuseOptionsOfOtherMethods();
        if (iterations != null && iterations < 1) {
            throw new InputException("--iterations must be >= 1, got " + iterations);
        }
        return method.equals(PromptAttack.METHOD) ? unlearnDiffAtk() : recover();
    }

    private int unlearnDiffAtk() {
        UnlearnDiffAtkOptions o = unlearnDiffAtk;
        if (o.referenceModelLocation == null || o.promptsLocation == null) {
            throw new InputException("--method unlearndiffatk needs --reference-model and --prompts");
        }
        if (o.tokens < 1 || o.tokens > 20) {
            throw new InputException("--tokens must be between 1 and 20, got " + o.tokens);
        }
        if (o.rounds < 1) {
            throw new InputException("--rounds must be >= 1, got " + o.rounds);
        }
        if (o.limit < 0) {
            throw new InputException("--limit must be >= 0, got " + o.limit);
        }
        // Remote inputs are copied here, the output folder's files too: after the checks that need no file.
        Staging staging = engine.staging();
        model = staging.input("--model", modelLocation);
        o.locate(staging);
        out = staging.output("--out", outLocation);
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", model)
                .clearOf("reference model", o.referenceModel).folder());
        ModelSource attacked = ModelSource.open(model, checkpoint.options());
        // opened only to refuse a missing or unreadable reference model before any work
        ModelSource.open(o.referenceModel);
        List<String> prompts = limited(PromptFile.read(o.prompts).prompts(), o.limit);
        List<String> targets = o.targetPrompts == null ? prompts
                : limited(PromptFile.read(o.targetPrompts).prompts(), o.limit);
        if (targets.size() != prompts.size()) {
            throw new InputException("--target-prompts " + o.targetPrompts + " has " + targets.size()
                    + " prompts for the " + prompts.size() + " of --prompts; give one target prompt per prompt");
        }
        GenerationSettings settings = sampling.settings(attacked, "", sampling.size(attacked), 1);
        DetectorFactory judge = o.judge();
        String label;
        try (Detector d = judge == null ? null : judge.open()) {
            label = o.conceptLabel(d);
        }
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            seeds.add(settings.seed() + i);
        }
        UnlearnDiffAtk.Settings search = new UnlearnDiffAtk.Settings(o.tokens, iterations == null ? 20 : iterations,
                o.rounds, 0.01, 0.1);
        PromptAttackRequest request = new PromptAttackRequest(model, o.referenceModel, prompts, targets, seeds, search,
                settings, label, out, force);
        PromptAttack.Summary s;
        Progress progress = Main.progress(spec);
        try (AttackExecution execution = engine.attacks(progress)) {
            s = new PromptAttack(request, judge, execution, progress).run();
        }
        staging.publish();
        PrintWriter w = spec.commandLine().getOut();
        PromptAttackMetrics m = s.metrics();
        w.printf(Locale.ROOT, "attacked %d prompts (%d reused) in %.1f s%n", s.prompts(), s.reused(), m.seconds());
        if (m.conceptUnderAttack() != null) {
            w.printf("'%s' without attack: %s; under attack: %s%n", label, rate(m.conceptWithoutAttack()),
                    rate(m.conceptUnderAttack()));
        }
        w.println("report: " + Staging.shown(outLocation, out, "report.html"));
        w.flush();
        return 0;
    }

    /** An option of the other method would be ignored without a word: refuse it instead. */
    private void refuseOptionsOfOtherMethods() {
        if (!method.equals(PromptAttack.METHOD)) {
            for (OptionSpec o : spec.mixins().get("sampling").options()) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw new InputException(o.longestName() + " is an option of --method " + PromptAttack.METHOD
                            + ", not of --method " + method);
                }
            }
        }
        for (ArgGroupSpec group : spec.argGroups()) {
            boolean own = group.heading().contains("--method " + method + ":");
            for (OptionSpec o : group.options()) {
                if (!own && spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw new InputException(o.longestName() + " is an option of another method than --method "
                            + method);
                }
            }
        }
    }

    private static List<String> limited(List<String> prompts, int limit) {
        return limit == 0 || limit >= prompts.size() ? prompts : prompts.subList(0, limit);
    }

    private static String rate(Rate r) {
        return String.format(Locale.ROOT, "%d / %d (%.1f%%, 95%% interval %.1f-%.1f%%)", r.count(), r.n(),
                100 * r.rate(), 100 * r.low(), 100 * r.high());
    }

    private int recover() {
        engine.refuse("--method recover");
        model = Staging.LOCAL.input("--model", modelLocation);
        out = Staging.LOCAL.output("--out", outLocation);
        RecoverySettings settings = recover.settings(iterations == null ? 500 : iterations);
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", model).folder());
        ModelSource source = ModelSource.open(model, checkpoint.options());
        RecoveryResult r = new RecoveryAttack(source, settings, Main.progress(spec)).run(out, force);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("recovered %d matri%s (%,d of %,d pruned entries set), skipped %d%n", r.matricesRecovered(),
                r.matricesRecovered() == 1 ? "x" : "ces", r.entriesSet(), r.entriesMissing(), r.matricesSkipped());
        o.printf("attacked model: %s%nsummary: %s%n", out.resolve(r.recoveredModel()),
                out.resolve(RecoveryAttack.SUMMARY));
        o.flush();
        return 0;
    }
}
