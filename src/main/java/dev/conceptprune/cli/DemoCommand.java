package dev.conceptprune.cli;

import dev.conceptprune.eval.HtmlReport;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.toyworld.DemoRequest;
import dev.conceptprune.toyworld.DemoResult;
import dev.conceptprune.toyworld.DemoSetting;
import dev.conceptprune.toyworld.ErasureMetrics;
import dev.conceptprune.toyworld.ToyWorldDemo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The embedded toy-world model end to end: erase a style, show and measure before vs after. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Erase the style 'Stripes' (or --concept) from the embedded toy-world model, generate",
            "before/after images for held-out prompts with and without the style, detect the styles",
            "from pixels, and write OUT/report.html, OUT/manifest.jsonl, OUT/metrics.json, the mask and",
            "the edited model (OUT/model). Re-running replaces the previous demo output in OUT.",
            "With --sweep (e.g. --sweep site=ffn2,ffn1 --sweep skill_ratio=0.01,0.05 --sweep tau=5,10)",
            "every setting is measured from one discovery per site, and OUT/sweep.json lists them."})
public final class DemoCommand implements Callable<Integer> {
    /** Settings chosen from the sweep recorded in docs/DEMO.md. */
    static final String DEFAULT_SITE = "attn2-v";
    static final double DEFAULT_SKILL_RATIO = 0.4;
    static final int DEFAULT_TAU = 10;

    @Option(names = "--concept", defaultValue = "Stripes",
            description = "Toy concept to erase: a style (Stripes, Polka, Checkers, Waves) or a shape (star, circle, ...).")
    String concept;

    @Option(names = "--site", defaultValue = DEFAULT_SITE, description = "Pruning site (default: ${DEFAULT-VALUE}).")
    String site;

    @Option(names = "--skill-ratio", defaultValue = "" + DEFAULT_SKILL_RATIO, description = "Skill ratio (default: ${DEFAULT-VALUE}).")
    double skillRatio;

    @Option(names = "--tau", defaultValue = "" + DEFAULT_TAU, description = "UNet calls observed (default: ${DEFAULT-VALUE}).")
    int tau;

    @Option(names = "--steps", defaultValue = "25", description = "PNDM steps for discovery and images (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--guidance", defaultValue = "7.5", description = "Guidance scale (default: ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--batch", defaultValue = "8", description = "Prompts per UNet batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--limit", description = "Use only the first N prompts of each evaluation list (quick runs).")
    Integer limit;

    @Option(names = "--sweep", paramLabel = "KEY=V1,V2", description = "Measure several settings: site, skill_ratio or tau.")
    List<String> sweep = new ArrayList<>();

    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--force", description = "Write into an existing folder that is not a previous demo output.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", DefaultModel.model())
                .clearOf("prompt", DefaultModel.prompts()).folder());
        if (batch < 1) {
            throw new InputException("--batch must be >= 1, got " + batch);
        }
        if (steps <= 0 || steps > 1000) {
            throw new InputException("--steps must be between 1 and 1000, got " + steps);
        }
        if (!Double.isFinite(guidance) || guidance < 0) {
            throw new InputException("--guidance must be a finite number >= 0, got " + guidance);
        }
        DemoResult result = new ToyWorldDemo(new DemoRequest(DefaultModel.model(), DefaultModel.prompts(), concept,
                settings(), steps, guidance, batch, limit, out, force), Main.progress(spec)).run();
        printTable(result);
        return 0;
    }

    private List<DemoSetting> settings() {
        SweepSpec sweeps = new SweepSpec(sweep, Set.of("site", "skill_ratio", "tau"));
        List<DemoSetting> list = new ArrayList<>();
        for (String s : sweeps.strings("site", site)) {
            PruneSite p = ErrorHandler.option("--site", () -> PruneSite.parse(s));
            for (double r : sweeps.ratios("skill_ratio", skillRatio)) {
                for (int t : p.timeDependent() ? sweeps.counts("tau", tau) : List.of(1)) {
                    if (t > steps + 1) {
                        throw new InputException("--tau must be at most " + (steps + 1) + ", got " + t);
                    }
                    list.add(new DemoSetting(p, r, t));
                }
            }
        }
        return list;
    }

    private void printTable(DemoResult result) {
        PrintWriter o = spec.commandLine().getOut();
        o.printf("%-26s %9s %12s %12s %10s %10s %10s%n", "setting", "pruned", concept + " before", concept + " after",
                "tgt chg", "other chg", "own kept");
        for (DemoResult.SettingResult res : result.results()) {
            ErasureMetrics m = res.metrics();
            o.printf("%-26s %9d %12s %12s %10s %10s %10s%n", res.setting(), res.pruned(),
                    HtmlReport.pct(m.targetStyleBefore()), HtmlReport.pct(m.targetStyleAfter()),
                    HtmlReport.num(m.targetChange()), HtmlReport.num(m.otherChange()),
                    HtmlReport.pct(m.otherOwnStyleAfter()));
        }
        o.printf("report: %s%nwall time: %.0f s%n", out.resolve(ToyWorldDemo.REPORT).toAbsolutePath(),
                result.wallSeconds());
        o.flush();
    }
}
