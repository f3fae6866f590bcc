package dev.conceptprune.cli;

import dev.conceptprune.attack.RecoverySettings;
import dev.conceptprune.attack.UnlearnDiffAtk;
import dev.conceptprune.eval.HtmlReport;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.prune.PruneFill;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.toyworld.DemoRequest;
import dev.conceptprune.toyworld.DemoResult;
import dev.conceptprune.toyworld.DemoSetting;
import dev.conceptprune.toyworld.ErasureMetrics;
import dev.conceptprune.toyworld.RobustnessStudy;
import dev.conceptprune.toyworld.ToyWorldDemo;
import dev.conceptprune.toyworld.ToyWorldPrompts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The embedded toy-world model end to end: erase a style, show and measure before vs after. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = StoredDemoSetting.class,
        description = {"Erase a style from the embedded toy-world model and measure it.",
            "",
            "Erases 'Stripes' (or --concept) from the toy-world model, generates before/after images for held-out "
                    + "prompts with and without the concept, detects styles and scenes from pixels, and writes "
                    + "OUT/report.html, OUT/manifest.jsonl, OUT/metrics.json, the mask and the edited model "
                    + "(OUT/model). Re-running replaces the previous demo output in OUT.",
            "",
            "The default site, skill ratio and fill are the setting that erase --auto chose for Stripes on the "
                    + "toy model's held-out prompts, stored beside it in models/toyworld/auto.json (the search and "
                    + "its figures: docs/DEMO.md); --site, --skill-ratio and --fill override it.",
            "",
            "With --sweep (e.g. --sweep site=ffn2,ffn1 --sweep skill-ratio=0.01,0.05 --sweep tau=5,10) every "
                    + "setting is measured from one discovery per site and listed in OUT/sweep.json.",
            "",
            "With --attack the erasure is also attacked (docs/ROBUSTNESS.md): at the paper's site (ffn2, skill ratio "
                    + "0.1, tau 10) and at the demo's setting, each with zero and gaussian fill (and the matched one where "
                    + "the site allows it), the erased models "
                    + "meet UnlearnDiffAtk and the recovery attack of 'Roots Beneath the Cut', and a prompt filter "
                    + "(the base model with the style phrase deleted) meets UnlearnDiffAtk to show the attack's "
                    + "strength. Every variant's style rates, with n and 95%% intervals, go to OUT/robustness.json and "
                    + "a section of the report; its models and attack outputs to OUT/robustness/.",
            ""})
public final class DemoCommand implements Callable<Integer> {
    static final int DEFAULT_TAU = 10;

    @Option(names = "--concept", defaultValue = "Stripes", paramLabel = "NAME",
            description = "Toy concept to erase: a style (Stripes, Polka, Checkers, Waves) or a shape (star, circle, "
                    + "square, triangle, cross, heart) (default: ${DEFAULT-VALUE}).")
    String concept;

    @Option(names = "--site", paramLabel = "SITE",
            description = "Pruning site, as for erase (default: ${DEFAULT-VALUE}, erase --auto's choice).")
    String site;

    @Option(names = "--skill-ratio", paramLabel = "R",
            description = "Skill ratio (default: ${DEFAULT-VALUE}, erase --auto's choice).")
    Double skillRatio;

    @Option(names = "--tau", defaultValue = "" + DEFAULT_TAU, paramLabel = "N",
            description = "UNet calls observed (default: ${DEFAULT-VALUE}).")
    int tau;

    @Option(names = "--steps", defaultValue = "25", paramLabel = "N",
            description = "PNDM steps for discovery and images (default: ${DEFAULT-VALUE}, the toy model's sampler "
                    + "setting; erase and generate use the paper's 50).")
    int steps;

    @Option(names = "--guidance", defaultValue = "7.5", paramLabel = "SCALE",
            description = "Guidance scale (default: ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "Prompts per UNet batch (default: ${DEFAULT-VALUE}: the toy model is small enough to "
                    + "batch more than erase and eval do).")
    int batch;

    @Option(names = "--limit", paramLabel = "N",
            description = "Use only the first N prompts of each evaluation list (quick runs).")
    Integer limit;

    @Option(names = "--seeds", defaultValue = "1", paramLabel = "K",
            description = "Images per evaluation prompt, each from its own seed (default: ${DEFAULT-VALUE}: seed = "
                    + "the prompt's index; K > 1 adds seeds index + j x prompts): more images, narrower intervals.")
    int seeds;

    @Option(names = "--sweep", paramLabel = "KEY=V1,V2",
            description = "Measure several settings: site, skill-ratio (or skill_ratio) or tau.")
    List<String> sweep = new ArrayList<>();

    @Mixin
    FillOptions fillOptions;

    @Option(names = "--attack", description = "Also attack the erasure and measure what resists (see above; about 45 "
            + "minutes with the defaults on the 2-core project machine, --limit shortens it).")
    boolean attack;

    @Option(names = "--attack-iterations", defaultValue = "20", paramLabel = "N",
            description = "UnlearnDiffAtk's optimisation steps per round under --attack (default: ${DEFAULT-VALUE}).")
    int attackIterations;

    @Option(names = "--attack-rounds", defaultValue = "5", paramLabel = "N",
            description = "UnlearnDiffAtk's rounds under --attack; each ends with the prompt judged (default: "
                    + "${DEFAULT-VALUE}).")
    int attackRounds;

    @Option(names = "--recovery-iterations", defaultValue = "500", paramLabel = "N",
            description = "Most iterations of the recovery attack's matrix completion under --attack (default: "
                    + "${DEFAULT-VALUE}, the paper's).")
    int recoveryIterations;

    @Option(names = "--out", defaultValue = "demo-out", paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--force", description = "Write into an existing folder that is not a previous demo output.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", DefaultModel.model())
                .clearOf("prompt", DefaultModel.prompts()).folder());
        if (site == null || skillRatio == null) {
            // The provider left them unset because the stored choice is unreadable: say why.
            StoredDemoSetting.chosen();
        }
        // The stored choice's fill, unless it is the matched one and a site given does not read the text states.
        PruneFill fill = fillOptions.fill(this::storedFill);
        if (batch < 1) {
            throw new InputException("--batch must be >= 1, got " + batch);
        }
        if (steps <= 0 || steps > 1000) {
            throw new InputException("--steps must be between 1 and 1000, got " + steps);
        }
        if (!Double.isFinite(guidance) || guidance < 0) {
            throw new InputException("--guidance must be a finite number >= 0, got " + guidance);
        }
        if (limit != null && limit < 1) {
            throw new InputException("--limit must be >= 1 (the first N prompts of each evaluation list), got "
                    + limit);
        }
        if (!(skillRatio > 0 && skillRatio <= 1)) {
            throw new InputException("--skill-ratio must be in (0, 1], got " + skillRatio);
        }
        if (tau < 1) {
            throw new InputException("--tau must be >= 1, got " + tau);
        }
        if (attackIterations < 1 || attackRounds < 1 || recoveryIterations < 1) {
            throw new InputException("--attack-iterations, --attack-rounds and --recovery-iterations must be >= 1, got "
                    + attackIterations + ", " + attackRounds + " and " + recoveryIterations);
        }
        Path prompts = DefaultModel.prompts();
        ErrorHandler.option("--concept", () -> {
            ToyWorldPrompts.requireConcept(prompts, concept);
            return concept;
        });
        DemoResult result = new ToyWorldDemo(new DemoRequest(DefaultModel.model(), prompts, concept,
                settings(), steps, guidance, batch, limit, seeds, fill, attack ? attackPlan(fill) : null, out, force),
                Main.progress(spec)).run();
        printTable(result, fill);
        return 0;
    }

    private PruneFill storedFill() {
        PruneFill stored = StoredDemoSetting.fill();
        boolean textSites = settings().stream().allMatch(s -> s.site().readsTextStates());
        return stored.kind() == PruneFill.Kind.MATCHED && !textSites ? PruneFill.ZERO : stored;
    }

    /** The paper's site at its strongest setting in docs/DEMO.md, then the demo's settings; zero and gaussian fill. */
    private RobustnessStudy.Plan attackPlan(PruneFill fill) {
        List<DemoSetting> attacked = new ArrayList<>(List.of(new DemoSetting(PruneSite.FFN2, 0.1, 10)));
        settings().stream().filter(s -> !attacked.contains(s)).forEach(attacked::add);
        long seed = fill.kind() == PruneFill.Kind.GAUSSIAN ? fill.seed() : 0;
        List<PruneFill> fills = new ArrayList<>(List.of(PruneFill.ZERO, PruneFill.gaussian(seed)));
        if (fill.kind() == PruneFill.Kind.MATCHED) {
            fills.add(PruneFill.MATCHED);
        }
        return new RobustnessStudy.Plan(attacked, fills,
                new UnlearnDiffAtk.Settings(5, attackIterations, attackRounds, 0.01, 0.1),
                new RecoverySettings(List.of(PruneSite.FFN2), RecoverySettings.PAPER.topRatio(), recoveryIterations,
                        RecoverySettings.PAPER.tolerance(), RecoverySettings.PAPER.minZeroShare()));
    }

    private List<DemoSetting> settings() {
        SweepSpec sweeps = new SweepSpec(sweep, Set.of("site", "skill-ratio", "tau"));
        List<PruneSite> sites = sweeps.values("site", ErrorHandler.option("--site", () -> PruneSite.parse(site)),
                PruneSite::parse);
        boolean timeDependent = sites.stream().anyMatch(PruneSite::timeDependent);
        // The toy model's PNDM scheduler makes one UNet call more than its steps.
        int calls = timeDependent ? steps + 1 : Integer.MAX_VALUE;
        String limit = "the " + calls + " UNet calls of a " + steps + "-step run";
        if (tau > calls) {
            throw new InputException("--tau " + tau + " exceeds " + limit);
        }
        List<Double> ratios = sweeps.ratios("skill-ratio", skillRatio);
        List<Integer> taus = sweeps.counts("tau", tau, calls, limit);
        if (sweeps.has("tau") && !timeDependent) {
            Main.progress(spec).warn("--sweep tau has no effect: the swept sites ("
                    + sites.stream().map(PruneSite::id).collect(Collectors.joining(", "))
                    + ") depend on the prompt only, not on the time step");
        }
        List<DemoSetting> list = new ArrayList<>();
        for (PruneSite p : sites) {
            for (double r : ratios) {
                for (int t : p.timeDependent() ? taus : List.of(1)) {
                    list.add(new DemoSetting(p, r, t));
                }
            }
        }
        return list;
    }

    private void printTable(DemoResult result, PruneFill fill) {
        PrintWriter o = spec.commandLine().getOut();
        boolean stored = !(spec.commandLine().getParseResult().hasMatchedOption("--site")
                || spec.commandLine().getParseResult().hasMatchedOption("--skill-ratio")
                || spec.commandLine().getParseResult().hasMatchedOption("--fill") || !sweep.isEmpty());
        o.printf("fill: %s%s%n", fill, stored ? "; site, skill ratio and fill as erase --auto chose them ("
                + StoredDemoSetting.file() + ")" : "");
        o.printf("%-26s %9s %12s %12s %9s %10s %10s %10s %12s%n", "setting", "pruned", concept + " before",
                concept + " after", "no style", "tgt chg", "other chg", "own kept", "scene kept");
        for (DemoResult.SettingResult res : result.results()) {
            ErasureMetrics m = res.metrics();
            o.printf("%-26s %9d %12s %12s %9s %10s %10s %10s %12s%n", res.setting(), res.pruned(),
                    HtmlReport.pct(m.targetStyleBefore()), HtmlReport.pct(m.targetStyleAfter()),
                    HtmlReport.pct(m.targetNoStyleAfter()), HtmlReport.num(m.targetChange()),
                    HtmlReport.num(m.otherChange()), HtmlReport.pct(m.otherOwnStyleAfter()),
                    HtmlReport.pct(m.otherSceneAfter()) + "/" + HtmlReport.pct(m.otherSceneBefore()));
        }
        o.printf("report: %s%nwall time: %.0f s%n", out.resolve(ToyWorldDemo.REPORT).toAbsolutePath(),
                result.wallSeconds());
        o.flush();
    }
}
