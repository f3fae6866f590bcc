package dev.conceptprune.cli;

import com.google.gson.GsonBuilder;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.BaseFingerprint;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.DiscoveryCheckpoint;
import dev.conceptprune.prune.MaskBuilder;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.prune.PrunedModelWriter;
import dev.conceptprune.scheduler.Scheduler;
import dev.conceptprune.scheduler.Schedulers;
import dev.conceptprune.weights.AtomicFiles;
import dev.conceptprune.weights.Component;
import dev.conceptprune.weights.ModelFolder;
import dev.conceptprune.weights.TensorSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            "Writes OUT/model/ (edited diffusers folder), OUT/<concept>.mask.safetensors, OUT/summary.json."})
public final class EraseCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "Diffusers model folder. Default: the embedded toy-world model.")
    Path model;

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
                    + "with --sweep, one edited model per setting and OUT/sweep-report.html with the trade-off plot.")
    Path evalPrompts;

    @Option(names = "--clip", paramLabel = "DIR", description = "CLIP model folder for scoring --eval images.")
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
        ModelFolder folder = ModelFolder.open(model == null ? DefaultModel.model() : model);
        List<Concept> list = concepts.resolve(sampling.seed);
        int[] size = sampling.size(folder);
        GenerationSettings settings = sampling.settings("", size, 1);
        validate(list);
        PrintWriter o = spec.commandLine().getOut();
        if (dryRun) {
            printPlan(o, list);
            o.flush();
            return 0;
        }
        if (Files.exists(out.resolve("model")) && !force) {
            throw new IllegalArgumentException(out.resolve("model") + " already exists; use --force to replace it");
        }
        PruneSite where = PruneSite.parse(site);
        if (evalPrompts != null) {
            EvalCommand.checkClip(clip, labels);
            EvalCommand.plan(List.of(folder.root()), evalPrompts, sampling, labels, null);
        } else if (clip != null || !labels.isEmpty()) {
            throw new IllegalArgumentException("--clip and --labels go with --eval");
        }
        SweepSpec sweeps = new SweepSpec(sweep, java.util.Set.of("skill_ratio", "tau"));
        List<Integer> taus = sweeps.counts("tau", tau);
        int observed = java.util.Collections.max(taus);
        Scheduler probe = Schedulers.from(folder, settings.scheduler());
        probe.setTimesteps(settings.steps());
        int callsPerRun = probe.numModelCalls();
        if (where.timeDependent() && Math.max(tau, observed) > callsPerRun) {
            throw new IllegalArgumentException("--tau " + Math.max(tau, observed) + " exceeds the " + callsPerRun
                    + " UNet calls of a " + settings.steps() + "-step run");
        }
        long start = System.nanoTime();
        List<PruneMask> masks = new ArrayList<>();
        List<Map<String, Object>> reports = new ArrayList<>();
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(folder);
             TensorSource unetWeights = folder.tensors(Component.UNET);
             TensorSource siteWeights = folder.tensors(where.component())) {
            String fingerprint = BaseFingerprint.of(unetWeights);
            List<String> params = where.parameters(pipe);
            for (Concept c : list) {
                double skill = skillRatio != null ? skillRatio : c.defaultSkillRatio();
                int recordTau = Math.max(tau, observed);
                DiscoveryCheckpoint ckpt = new DiscoveryCheckpoint(out.resolve("." + c.slug() + ".discovery.safetensors"),
                        checkpointKey(fingerprint, c, settings, where, recordTau));
                ConceptDiscovery.Result r = new ConceptDiscovery(pipe, settings, where, recordTau, batch, System.err)
                        .withCheckpoint(ckpt).run(c.pairs());
                PruneMask mask = MaskBuilder.build(siteWeights, params, where, r.base(), r.target(), skill, tau,
                        selectRatio, metadata(c, skill, settings, where), fingerprint);
                Path maskFile = out.resolve(c.slug() + ".mask.safetensors");
                mask.write(maskFile);
                Map<String, Object> rep = report(c, mask, skill, r, callsPerRun, maskFile);
                if (!sweeps.isEmpty()) {
                    rep.put("sweep", sweepMasks(c, r, siteWeights, params, where, settings, fingerprint,
                            sweeps.ratios("skill_ratio", skill), taus));
                }
                ckpt.delete();
                masks.add(mask);
                reports.add(rep);
                o.printf("%s: %,d weights pruned, discovery %.1f s (%d UNet calls; the reference procedure makes %d)%n",
                        c.name(), mask.count(), r.seconds(), r.unetCalls(),
                        ConceptDiscovery.referenceCalls(2 * c.pairs().size(), callsPerRun));
                o.flush();
            }
            PruneMask all = masks.get(0);
            for (int i = 1; i < masks.size(); i++) {
                all = all.union(masks.get(i));
            }
            PrunedModelWriter.export(folder, all, out.resolve("model"), force);
            writeSummary(reports, all, siteWeights, params, settings, (System.nanoTime() - start) / 1e9);
        }
        if (evalPrompts != null) {
            new SweepEvaluation(folder, out, batch, force).run(evalPrompts, sampling, clip, labels, reports,
                    spec.commandLine().getErr());
            o.printf("evaluation: %s%n", out.resolve("eval/report.html"));
        }
        o.printf("edited model: %s%nsummary: %s%n", out.resolve("model"), out.resolve("summary.json"));
        o.flush();
        return 0;
    }

    private void validate(List<Concept> list) {
        if (skillRatio != null && !(skillRatio > 0 && skillRatio <= 1)) {
            throw new IllegalArgumentException("--skill-ratio must be in (0, 1], got " + skillRatio);
        }
        if (tau < 1) {
            throw new IllegalArgumentException("--tau must be >= 1, got " + tau);
        }
        if (!(selectRatio >= 0 && selectRatio < 1)) {
            throw new IllegalArgumentException("--select-ratio must be in [0, 1), got " + selectRatio);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("name a concept: --style, --nudity, --object, --gender, --memorized or "
                    + "--base-prompts with --target-prompts");
        }
    }

    private void printPlan(PrintWriter o, List<Concept> list) {
        for (Concept c : list) {
            o.printf("concept %s (%s), %d prompt pairs:%n", c.name(), c.kind(), c.pairs().size());
            for (PromptPair p : c.pairs()) {
                o.printf("  seed %d  base: \"%s\"  target: \"%s\"%n", p.seed(), p.base(), p.target());
            }
            int prompts = 2 * c.pairs().size();
            int batches = (prompts + batch - 1) / batch;
            o.printf("  planned: %d UNet calls (%d batches of up to %d prompts x tau %d)%n", batches * tau, batches,
                    batch, tau);
        }
    }

    private Map<String, String> metadata(Concept c, double skill, GenerationSettings s, PruneSite where) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", "conceptprune");
        m.put("site", where.id());
        m.put("concepts", c.name());
        m.put("kind", c.kind());
        m.put("prompts_sha256", promptsDigest(c));
        m.put("skill_ratio", String.valueOf(skill));
        m.put("tau", String.valueOf(tau));
        m.put("select_ratio", String.valueOf(selectRatio));
        m.put("steps", String.valueOf(s.steps()));
        m.put("guidance", String.valueOf(s.guidance()));
        m.put("scheduler", s.scheduler() == null ? "model" : s.scheduler());
        m.put("seed", String.valueOf(s.seed()));
        m.put("height", String.valueOf(s.height()));
        m.put("width", String.valueOf(s.width()));
        return m;
    }

    /** One mask per swept (skill ratio, tau), all from the statistics of the single discovery. */
    private List<Map<String, Object>> sweepMasks(Concept c, ConceptDiscovery.Result r, TensorSource siteWeights,
                                                 List<String> params, PruneSite where, GenerationSettings s,
                                                 String fingerprint, List<Double> ratios, List<Integer> taus) {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (double ratio : ratios) {
            for (int t : where.timeDependent() ? taus : List.of(1)) {
                Map<String, String> meta = metadata(c, ratio, s, where);
                meta.put("tau", String.valueOf(t));
                PruneMask m = MaskBuilder.build(siteWeights, params, where, r.base(), r.target(), ratio, t, selectRatio,
                        meta, fingerprint);
                Path file = this.out.resolve(String.format(java.util.Locale.ROOT, "%s.r%s-t%d.mask.safetensors", c.slug(),
                        ratio, t));
                m.write(file);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("skill_ratio", ratio);
                e.put("tau", t);
                e.put("pruned", m.count());
                e.put("mask", this.out.relativize(file).toString());
                entries.add(e);
            }
        }
        return entries;
    }

    private String checkpointKey(String fingerprint, Concept c, GenerationSettings s, PruneSite where, int recordTau) {
        return fingerprint + "|" + where.id() + "|tau=" + recordTau + "|batch=" + batch + "|" + promptsDigest(c) + "|steps="
                + s.steps() + "|g=" + s.guidance() + "|sched=" + s.scheduler() + "|" + s.height() + "x" + s.width()
                + "|neg=" + s.negativePrompt();
    }

    static String promptsDigest(Concept c) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (PromptPair p : c.pairs()) {
                sha.update((p.base() + "\u0000" + p.target() + "\u0000" + p.seed() + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> report(Concept c, PruneMask mask, double skill, ConceptDiscovery.Result r,
                                       int callsPerRun, Path maskFile) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("concept", c.name());
        m.put("kind", c.kind());
        m.put("mask", out.relativize(maskFile).toString());
        m.put("skill_ratio", skill);
        m.put("tau", tau);
        m.put("select_ratio", selectRatio);
        m.put("pairs", c.pairs());
        Map<String, Integer> perLayer = new LinkedHashMap<>();
        mask.indices().forEach((k, v) -> perLayer.put(k, v.length));
        m.put("pruned_per_layer", perLayer);
        m.put("pruned", mask.count());
        m.put("discovery_seconds", r.seconds());
        m.put("discovery_unet_calls", r.unetCalls());
        m.put("reference_unet_calls", ConceptDiscovery.referenceCalls(2 * c.pairs().size(), callsPerRun));
        return m;
    }

    private void writeSummary(List<Map<String, Object>> reports, PruneMask all, TensorSource siteWeights,
                              List<String> params, GenerationSettings s, double seconds) {
        long siteTotal = 0;
        for (String p : params) {
            siteTotal += siteWeights.info(p).elementCount();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", (model == null ? DefaultModel.model() : model).toString());
        m.put("concepts", reports);
        m.put("pruned_total", all.count());
        m.put("site", site);
        m.put("fraction_of_site_weights", all.count() / (double) siteTotal);
        m.put("component", PruneSite.parse(site).component().folderName());
        m.put("fraction_of_component_weights", all.count() / (double) siteWeights.parameterCount());
        m.put("steps", s.steps());
        m.put("guidance", s.guidance());
        m.put("height", s.height());
        m.put("width", s.width());
        m.put("base_fingerprint", all.fingerprint());
        m.put("wall_seconds", seconds);
        AtomicFiles.writeString(out.resolve("summary.json"),
                new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(m) + "\n");
    }
}
