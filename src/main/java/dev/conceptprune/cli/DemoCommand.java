package dev.conceptprune.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.conceptprune.eval.ErasureMetrics;
import dev.conceptprune.eval.HtmlReport;
import dev.conceptprune.eval.TextureStyleDetector;
import dev.conceptprune.eval.ToyPrompt;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.prune.BaseFingerprint;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.MaskBuilder;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.prune.PrunedModelWriter;
import dev.conceptprune.vae.Images;
import dev.conceptprune.weights.AtomicFiles;
import dev.conceptprune.weights.Component;
import dev.conceptprune.weights.ModelFolder;
import dev.conceptprune.weights.TensorSource;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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
    private static final String MARKER = ".conceptprune-demo";

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

    private record Setting(PruneSite site, double skillRatio, int tau) {
        String label() {
            return String.format(Locale.ROOT, "%s r=%s tau=%d", site.id(), skillRatio, tau);
        }

        String slug() {
            return String.format(Locale.ROOT, "%s-r%s-t%d", site.id(), skillRatio, tau);
        }
    }

    @Override
    public Integer call() {
        long start = System.nanoTime();
        Path prompts = DefaultModel.prompts();
        ModelFolder base = ModelFolder.open(DefaultModel.model());
        String key = concept.toLowerCase(Locale.ROOT);
        Concept c = Concept.fromFiles(prompts.resolve(key + "_base.txt"), prompts.resolve(key + "_target.txt"),
                concept, 0);
        List<ToyPrompt> targets = new ArrayList<>();
        List<ToyPrompt> others = new ArrayList<>();
        evaluationPrompts(prompts, key, targets, others);
        List<Setting> settings = settings();
        prepareOutput();
        PrintStream err = System.err;
        GenerationSettings gen = new GenerationSettings("", "", steps, guidance, null, 0, 64, 64, 1, null);
        List<ToyPrompt> all = new ArrayList<>(targets);
        all.addAll(others);
        List<String> texts = all.stream().map(ToyPrompt::text).toList();
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            seeds.add((long) i);
        }
        TextureStyleDetector detector = new TextureStyleDetector();
        List<Map<String, Object>> results = new ArrayList<>();
        List<float[]> before;
        Map<PruneSite, ConceptDiscovery.Result> discoveries = new LinkedHashMap<>();
        Map<String, List<ErasureMetrics.Sample>> samplesBySetting = new LinkedHashMap<>();
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(base);
             TensorSource unet = base.tensors(Component.UNET)) {
            String fingerprint = BaseFingerprint.of(unet);
            err.printf("demo: generating %d 'before' images%n", all.size());
            before = pipe.generateEach(texts, seeds, gen, batch, progress(err, "before", all.size()));
            saveImages(before, "before");
            for (Setting s : settings) {
                ConceptDiscovery.Result r = discoveries.computeIfAbsent(s.site(), site -> new ConceptDiscovery(pipe,
                        gen, site, maxTau(settings), batch, err).run(c.pairs()));
                Path modelDir = settings.size() == 1 ? out.resolve("model") : out.resolve("sweep").resolve(s.slug());
                PruneMask mask;
                try (TensorSource siteWeights = base.tensors(s.site().component())) {
                    mask = MaskBuilder.build(siteWeights, s.site().parameters(pipe), s.site(), r.base(), r.target(),
                            s.skillRatio(), s.tau(), 0.0, maskMetadata(c, s), fingerprint);
                }
                Path maskFile = settings.size() == 1 ? out.resolve(c.slug() + ".mask.safetensors")
                        : out.resolve("sweep").resolve(s.slug() + ".mask.safetensors");
                mask.write(maskFile);
                PrunedModelWriter.export(base, mask, modelDir, true);
                List<float[]> after;
                err.printf("demo: generating %d 'after' images for %s%n", all.size(), s.label());
                try (StableDiffusionPipeline edited = StableDiffusionPipeline.load(ModelFolder.open(modelDir))) {
                    after = edited.generateEach(texts, seeds, gen, batch, progress(err, "after", all.size()));
                }
                String imageDir = settings.size() == 1 ? "after" : "after-" + s.slug();
                saveImages(after, imageDir);
                if (settings.size() > 1) {
                    deleteTree(modelDir);
                }
                List<ErasureMetrics.Sample> samples = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    samples.add(new ErasureMetrics.Sample(all.get(i), i < targets.size(), before.get(i), after.get(i),
                            detector.classify(before.get(i), 64, 64), detector.classify(after.get(i), 64, 64)));
                }
                ErasureMetrics m = ErasureMetrics.of(concept, samples);
                samplesBySetting.put(imageDir, samples);
                results.add(result(s, m, mask, unet.parameterCount(), r));
                err.printf("demo: %s -> %s still in %s of target images (before %s); others changed %.4f%n",
                        s.label(), concept, HtmlReport.pct(m.targetStyleAfter()), HtmlReport.pct(m.targetStyleBefore()),
                        m.otherChange());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        writeManifest(all, seeds, samplesBySetting);
        writeMetrics(results, seconds, settings.size() > 1);
        writeReport(all, samplesBySetting, results, seconds, targets.size());
        printTable(results, seconds);
        return 0;
    }

    private void evaluationPrompts(Path dir, String key, List<ToyPrompt> targets, List<ToyPrompt> others) {
        Path t = dir.resolve(key + "_eval_target.txt");
        Path o = dir.resolve(key + "_eval_other.txt");
        List<String> tl;
        List<String> ol;
        if (Files.exists(t) && Files.exists(o)) {
            tl = Concept.readLines(t, "--concept");
            ol = Concept.readLines(o, "--concept");
        } else {
            List<String> acc = Concept.readLines(dir.resolve("acceptance.txt"), "--concept");
            String needle = key.equals(key.toLowerCase(Locale.ROOT)) && isStyle() ? "style of " + concept : " " + key;
            tl = acc.stream().filter(p -> p.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT))).toList();
            ol = acc.stream().filter(p -> !tl.contains(p)).toList();
        }
        tl.stream().limit(limit == null ? Long.MAX_VALUE : limit).map(ToyPrompt::of).forEach(targets::add);
        ol.stream().limit(limit == null ? Long.MAX_VALUE : limit).map(ToyPrompt::of).forEach(others::add);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("--concept " + concept + ": no evaluation prompts mention it");
        }
    }

    private boolean isStyle() {
        return List.of("stripes", "polka", "checkers", "waves").contains(concept.toLowerCase(Locale.ROOT));
    }

    private List<Setting> settings() {
        SweepSpec spec = new SweepSpec(sweep, Set.of("site", "skill_ratio", "tau"));
        List<Setting> out = new ArrayList<>();
        for (String s : spec.strings("site", site)) {
            PruneSite p = PruneSite.parse(s);
            for (double r : spec.ratios("skill_ratio", skillRatio)) {
                for (int t : p.timeDependent() ? spec.counts("tau", tau) : List.of(1)) {
                    if (t > steps + 1) {
                        throw new IllegalArgumentException("tau must be at most " + (steps + 1) + ", got " + t);
                    }
                    out.add(new Setting(p, r, t));
                }
            }
        }
        return out;
    }

    private static int maxTau(List<Setting> settings) {
        return settings.stream().mapToInt(Setting::tau).max().orElse(1);
    }

    private void prepareOutput() {
        try {
            if (Files.exists(out)) {
                boolean ours = Files.exists(out.resolve(MARKER));
                boolean empty;
                try (Stream<Path> s = Files.list(out)) {
                    empty = s.findAny().isEmpty();
                }
                if (!ours && !empty && !force) {
                    throw new IllegalArgumentException(out + " exists and is not a demo output; use --force or another --out");
                }
                for (String sub : new String[] {"images", "sweep", "model"}) {
                    deleteTree(out.resolve(sub));
                }
            }
            Files.createDirectories(out);
            Files.writeString(out.resolve(MARKER), "written by conceptprune demo\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
    }

    private void saveImages(List<float[]> images, String dir) {
        for (int i = 0; i < images.size(); i++) {
            Images.writePng(Images.toImage(images.get(i), 0, 64, 64), out.resolve("images").resolve(dir).resolve(file(i)));
        }
    }

    private static String file(int i) {
        return String.format(Locale.ROOT, "%03d.png", i);
    }

    private static StepListener progress(PrintStream err, String what, int images) {
        long start = System.nanoTime();
        int[] count = {0};
        return (call, total, t) -> {
            if (call == 0 && count[0]++ > 0) {
                double per = (System.nanoTime() - start) / 1e9 / (count[0] - 1);
                err.printf("demo: %s batch %d  %.1f s/batch%n", what, count[0], per);
            }
        };
    }

    private Map<String, String> maskMetadata(Concept c, Setting s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", "conceptprune");
        m.put("site", s.site().id());
        m.put("concepts", c.name());
        m.put("skill_ratio", String.valueOf(s.skillRatio()));
        m.put("tau", String.valueOf(s.tau()));
        m.put("select_ratio", "0.0");
        m.put("steps", String.valueOf(steps));
        m.put("guidance", String.valueOf(guidance));
        m.put("seed", "0");
        return m;
    }

    private Map<String, Object> result(Setting s, ErasureMetrics m, PruneMask mask, long unetParams,
                                       ConceptDiscovery.Result r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("setting", s.label());
        o.put("site", s.site().id());
        o.put("skill_ratio", s.skillRatio());
        o.put("tau", s.tau());
        o.put("pruned", mask.count());
        o.put("pruned_fraction_of_unet", mask.count() / (double) unetParams);
        o.put("discovery_seconds", r.seconds());
        o.put("metrics", m);
        return o;
    }

    private void writeManifest(List<ToyPrompt> all, List<Long> seeds, Map<String, List<ErasureMetrics.Sample>> bySetting) {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        StringBuilder b = new StringBuilder();
        String firstSetting = bySetting.keySet().iterator().next();
        for (int i = 0; i < all.size(); i++) {
            ErasureMetrics.Sample s0 = bySetting.get(firstSetting).get(i);
            b.append(gson.toJson(manifestLine("images/before/" + file(i), all.get(i), seeds.get(i), "before",
                    s0.detectedBefore()))).append('\n');
        }
        for (Map.Entry<String, List<ErasureMetrics.Sample>> e : bySetting.entrySet()) {
            String model = e.getKey().equals("after") ? "after" : e.getKey();
            for (int i = 0; i < all.size(); i++) {
                b.append(gson.toJson(manifestLine("images/" + e.getKey() + "/" + file(i), all.get(i), seeds.get(i), model,
                        e.getValue().get(i).detectedAfter()))).append('\n');
            }
        }
        AtomicFiles.writeString(out.resolve("manifest.jsonl"), b.toString());
    }

    private Map<String, Object> manifestLine(String file, ToyPrompt p, long seed, String model, String detected) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("prompt", p.text());
        m.put("seed", seed);
        m.put("model", model);
        m.put("steps", steps);
        m.put("guidance", guidance);
        m.put("prompt_style", p.style());
        m.put("detected_style", detected);
        return m;
    }

    private void writeMetrics(List<Map<String, Object>> results, double seconds, boolean isSweep) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("concept", concept);
        m.put("steps", steps);
        m.put("guidance", guidance);
        m.put("wall_seconds", seconds);
        m.put("results", results);
        String json = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().disableHtmlEscaping()
                .create().toJson(m) + "\n";
        AtomicFiles.writeString(out.resolve(isSweep ? "sweep.json" : "metrics.json"), json);
    }

    private void writeReport(List<ToyPrompt> all, Map<String, List<ErasureMetrics.Sample>> bySetting,
                             List<Map<String, Object>> results, double seconds, int targetCount) {
        HtmlReport r = new HtmlReport("ConceptPrune demo: erasing '" + concept + "' from the toy-world model");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("model", "models/toyworld/model (embedded)");
        params.put("concept", concept);
        params.put("steps / guidance / scheduler", steps + " / " + guidance + " / PNDM (model config)");
        params.put("evaluation prompts", all.size() + " (" + targetCount + " with the concept), seed = prompt index");
        params.put("wall time", String.format(Locale.ROOT, "%.0f s", seconds));
        r.section("Run parameters", "").parameters(params);
        List<List<String>> rows = new ArrayList<>();
        List<HtmlReport.Point> points = new ArrayList<>();
        for (Map<String, Object> res : results) {
            ErasureMetrics m = (ErasureMetrics) res.get("metrics");
            rows.add(HtmlReport.cells(res.get("setting"), res.get("pruned"),
                    HtmlReport.pct((Double) res.get("pruned_fraction_of_unet")),
                    HtmlReport.pct(m.targetStyleBefore()), HtmlReport.pct(m.targetStyleAfter()),
                    HtmlReport.num(m.targetChange()), HtmlReport.num(m.otherChange()),
                    HtmlReport.pct(m.otherOwnStyleBefore()), HtmlReport.pct(m.otherOwnStyleAfter()),
                    HtmlReport.pct(m.otherFalseStyleBefore()), HtmlReport.pct(m.otherFalseStyleAfter())));
            points.add(new HtmlReport.Point((String) res.get("setting"), 1 - m.targetStyleAfter(),
                    Double.isFinite(m.otherOwnStyleAfter()) ? m.otherOwnStyleAfter() : 1 - m.otherChange()));
        }
        r.section("Measured effect", "Styles are detected from pixels by the spectral texture detector. "
                + "'target' = prompts that ask for " + concept + "; 'other' = prompts with other styles or none. "
                + "Change = mean absolute pixel difference before vs after (0..1).")
                .table("metrics", List.of("setting", "pruned weights", "of UNet", concept + " in target (before)",
                        concept + " in target (after)", "target change", "other change", "own style kept (before)",
                        "own style kept (after)", "false style on no-style prompts (before)", "(after)"), rows);
        if (results.size() > 1) {
            r.section("Trade-off", "x: erasure (share of target images no longer showing " + concept
                    + "); y: preservation (other prompts whose own style is still detected).")
                    .tradeOff("erasure", "preservation", points);
        }
        for (Map.Entry<String, List<ErasureMetrics.Sample>> e : bySetting.entrySet()) {
            List<HtmlReport.Row> grid = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                ErasureMetrics.Sample s = e.getValue().get(i);
                grid.add(new HtmlReport.Row(all.get(i).text(), List.of("images/before/" + file(i),
                        "images/" + e.getKey() + "/" + file(i)),
                        List.of("detected: " + s.detectedBefore(), "detected: " + s.detectedAfter())));
            }
            r.section("Images: before vs " + e.getKey(), "").grid(List.of("before", e.getKey()), grid);
        }
        r.write(out.resolve("report.html"));
    }

    private void printTable(List<Map<String, Object>> results, double seconds) {
        PrintWriter o = spec.commandLine().getOut();
        o.printf("%-26s %9s %12s %12s %10s %10s %10s%n", "setting", "pruned", concept + " before", concept + " after",
                "tgt chg", "other chg", "own kept");
        for (Map<String, Object> res : results) {
            ErasureMetrics m = (ErasureMetrics) res.get("metrics");
            o.printf("%-26s %9d %12s %12s %10s %10s %10s%n", res.get("setting"), (Long) res.get("pruned"),
                    HtmlReport.pct(m.targetStyleBefore()), HtmlReport.pct(m.targetStyleAfter()),
                    HtmlReport.num(m.targetChange()), HtmlReport.num(m.otherChange()),
                    HtmlReport.pct(m.otherOwnStyleAfter()));
        }
        o.printf("report: %s%nwall time: %.0f s%n", out.resolve("report.html").toAbsolutePath(), seconds);
        o.flush();
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root + ": " + e.getMessage(), e);
        }
    }
}
