package dev.conceptprune.toyworld;

import dev.conceptprune.eval.HtmlReport;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.Progress;
import dev.conceptprune.io.PromptFile;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepProgress;
import dev.conceptprune.prune.BaseFingerprint;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.EditedModel;
import dev.conceptprune.prune.MaskMetadata;
import dev.conceptprune.prune.MatchedFill;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.prune.SiteWeights;
import dev.conceptprune.prune.WeightEdits;
import dev.conceptprune.vae.Images;
import dev.conceptprune.model.Component;
import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The toy-world demo: erases a style (or shape) from the toy model, generates before/after images
 * for held-out prompts, detects the styles from pixels and writes {@code report.html},
 * {@code manifest.jsonl}, {@code metrics.json} (or {@code sweep.json}), the mask and the edited model.
 * Each setting is measured from one discovery per site.
 */
public final class ToyWorldDemo {
    /** The report's name inside the output folder. */
    public static final String REPORT = "report.html";
    private static final String MARKER = ".conceptprune-demo";
    private static final int SIZE = 64;

    private final DemoRequest request;
    private final Progress progress;
    private final Path out;

    public ToyWorldDemo(DemoRequest request, Progress progress) {
        this.request = request;
        this.progress = progress;
        this.out = request.out();
    }

    /** Runs the demo and writes its files; returns what it measured. */
    public DemoResult run() {
        long start = System.nanoTime();
        String concept = request.concept();
        String key = concept.toLowerCase(Locale.ROOT);
        Concept c = Concept.fromFiles(request.prompts().resolve(key + "_base.txt"),
                request.prompts().resolve(key + "_target.txt"), concept, 0);
        List<ToyPrompt> targets = new ArrayList<>();
        List<ToyPrompt> others = new ArrayList<>();
        evaluationPrompts(key, targets, others);
        DiffusersFolder base = DiffusersFolder.open(request.model());
        prepareOutput();
        GenerationSettings gen = new GenerationSettings("", "", request.steps(), request.guidance(), null, 0, SIZE, SIZE,
                1, null);
        // Every prompt once per seed: prompt p of the n prompts gets seeds p, p + n, p + 2n, ...; targets first.
        int n = targets.size() + others.size();
        List<ToyPrompt> all = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        for (int part = 0; part < 2; part++) {
            List<ToyPrompt> prompts = part == 0 ? targets : others;
            int offset = part == 0 ? 0 : targets.size();
            for (int j = 0; j < request.seeds(); j++) {
                for (int p = 0; p < prompts.size(); p++) {
                    all.add(prompts.get(p));
                    seeds.add((long) offset + p + (long) j * n);
                }
            }
        }
        int targetImages = targets.size() * request.seeds();
        List<String> texts = all.stream().map(ToyPrompt::text).toList();
        TextureStyleDetector detector = new TextureStyleDetector();
        SceneDetector scenes = new SceneDetector();
        List<DemoResult.SettingResult> results = new ArrayList<>();
        Map<PruneSite, ConceptDiscovery.Result> discoveries = new LinkedHashMap<>();
        Map<String, List<ErasureMetrics.Sample>> samplesByImageDir = new LinkedHashMap<>();
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(base);
             TensorSource unet = base.tensors(Component.UNET)) {
            String fingerprint = BaseFingerprint.of(unet);
            List<float[]> before = generate(pipe, texts, seeds, gen, "before images");
            saveImages(before, "before");
            for (DemoSetting s : request.settings()) {
                ConceptDiscovery.Result r = discoveries.computeIfAbsent(s.site(), site -> new ConceptDiscovery(pipe,
                        gen, site, request.observedTau(), request.batch(), progress).run(c.pairs()));
                Path modelDir = request.isSweep() ? out.resolve("sweep").resolve(s.slug()) : out.resolve("model");
                PruneMask mask;
                try (SiteWeights siteWeights = new SiteWeights(base)) {
                    mask = MatchedFill.build(pipe, siteWeights, s.site().layers(pipe), r.base(), r.target(),
                            MaskMetadata.of(c, s.site(), s.skillRatio(), s.tau(), 0.0, gen, request.fill()),
                            fingerprint, ToyWorldPrompts.matched(c), progress);
                }
                Path maskFile = request.isSweep() ? out.resolve("sweep").resolve(s.slug() + ".mask.safetensors")
                        : out.resolve(c.slug() + ".mask.safetensors");
                mask.write(maskFile);
                EditedModel.export(base, WeightEdits.of(base, mask), modelDir, true);
                List<float[]> after;
                try (StableDiffusionPipeline edited = StableDiffusionPipeline.load(DiffusersFolder.open(modelDir))) {
                    after = generate(edited, texts, seeds, gen, "after images, " + s.label());
                }
                String imageDir = request.isSweep() ? "after-" + s.slug() : "after";
                saveImages(after, imageDir);
                if (request.isSweep()) {
                    AtomicFiles.removeTree(modelDir);
                }
                List<ErasureMetrics.Sample> samples = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    samples.add(new ErasureMetrics.Sample(all.get(i), i < targetImages, before.get(i), after.get(i),
                            detector.classify(before.get(i), SIZE, SIZE), detector.classify(after.get(i), SIZE, SIZE),
                            scenes.classify(before.get(i), SIZE, SIZE), scenes.classify(after.get(i), SIZE, SIZE)));
                }
                ErasureMetrics m = ErasureMetrics.of(concept, samples);
                samplesByImageDir.put(imageDir, samples);
                results.add(new DemoResult.SettingResult(s.label(), s.site().id(), s.skillRatio(), s.tau(), mask.count(),
                        mask.count() / (double) unet.parameterCount(), r.seconds(), m));
                progress.say("demo: %s -> %s still in %s of target images (before %s); others changed %.4f", s.label(),
                        concept, HtmlReport.pct(m.targetStyleAfter()), HtmlReport.pct(m.targetStyleBefore()),
                        m.otherChange());
            }
        }
        RobustnessResult robustness = null;
        if (request.attack() != null) {
            robustness = new RobustnessStudy(request, request.attack(), progress).run(c, targets, others);
            Json.write(out.resolve(RobustnessStudy.RESULT), robustness);
        }
        DemoResult result = new DemoResult(concept, request.steps(), request.guidance(),
                (System.nanoTime() - start) / 1e9, results);
        writeManifest(all, seeds, samplesByImageDir);
        Json.write(out.resolve(request.isSweep() ? "sweep.json" : "metrics.json"), result);
        DemoReport.write(out.resolve(REPORT), request, all, seeds, samplesByImageDir, result, targetImages, robustness);
        return result;
    }

    private List<float[]> generate(StableDiffusionPipeline pipe, List<String> texts, List<Long> seeds,
                                   GenerationSettings gen, String what) {
        StepProgress steps = new StepProgress(progress, "demo: " + what,
                (texts.size() + request.batch() - 1) / request.batch(), gen.steps());
        List<float[]> images = pipe.generateEach(texts, seeds, gen, request.batch(), steps);
        steps.finish();
        return images;
    }

    /** The held-out prompts: the concept's own lists, else the acceptance prompts that mention it and the rest. */
    private void evaluationPrompts(String key, List<ToyPrompt> targets, List<ToyPrompt> others) {
        Path dir = request.prompts();
        Path t = dir.resolve(key + "_eval_target.txt");
        Path o = dir.resolve(key + "_eval_other.txt");
        List<String> tl;
        List<String> ol;
        if (Files.exists(t) && Files.exists(o)) {
            tl = PromptFile.read(t).prompts();
            ol = PromptFile.read(o).prompts();
        } else {
            List<String> acc = PromptFile.read(dir.resolve("acceptance.txt")).prompts();
            String needle = ToyWorldPrompts.isStyle(key) ? "style of " + request.concept() : " " + key;
            tl = acc.stream().filter(p -> p.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT))).toList();
            ol = acc.stream().filter(p -> !tl.contains(p)).toList();
        }
        long limit = request.limit() == null ? Long.MAX_VALUE : request.limit();
        tl.stream().limit(limit).map(ToyPrompt::of).forEach(targets::add);
        ol.stream().limit(limit).map(ToyPrompt::of).forEach(others::add);
        if (targets.isEmpty()) {
            throw new InputException("concept " + request.concept() + ": no evaluation prompts mention it");
        }
    }

    private void prepareOutput() {
        try {
            if (Files.exists(out)) {
                boolean ours = Files.exists(out.resolve(MARKER));
                boolean empty;
                try (Stream<Path> s = Files.list(out)) {
                    empty = s.findAny().isEmpty();
                }
                if (!ours && !empty && !request.force()) {
                    throw new InputException(out + " exists and is not a demo output; force it or choose another folder");
                }
                for (String sub : new String[] {"images", "sweep", "model", RobustnessStudy.DIR}) {
                    AtomicFiles.removeTree(out.resolve(sub));
                }
            }
            Files.createDirectories(out);
            Files.writeString(out.resolve(MARKER), "written by conceptprune demo\n");
        } catch (IOException e) {
            throw AtomicFiles.failure(out, e);
        }
    }

    private void saveImages(List<float[]> images, String dir) {
        for (int i = 0; i < images.size(); i++) {
            Images.writePng(Images.toImage(images.get(i), 0, SIZE, SIZE), out.resolve("images").resolve(dir).resolve(file(i)));
        }
    }

    /** The image file name of prompt {@code i}. */
    static String file(int i) {
        return String.format(Locale.ROOT, "%03d.png", i);
    }

    private void writeManifest(List<ToyPrompt> all, List<Long> seeds, Map<String, List<ErasureMetrics.Sample>> byDir) {
        StringBuilder b = new StringBuilder();
        List<ErasureMetrics.Sample> first = byDir.values().iterator().next();
        for (int i = 0; i < all.size(); i++) {
            b.append(Json.line(line("images/before/" + file(i), all.get(i), seeds.get(i), "before",
                    first.get(i).detectedBefore(), first.get(i).sceneBefore()))).append('\n');
        }
        for (Map.Entry<String, List<ErasureMetrics.Sample>> e : byDir.entrySet()) {
            for (int i = 0; i < all.size(); i++) {
                b.append(Json.line(line("images/" + e.getKey() + "/" + file(i), all.get(i), seeds.get(i), e.getKey(),
                        e.getValue().get(i).detectedAfter(), e.getValue().get(i).sceneAfter()))).append('\n');
            }
        }
        AtomicFiles.writeString(out.resolve("manifest.jsonl"), b.toString());
    }

    private ManifestLine line(String file, ToyPrompt p, long seed, String model, String detected, String scene) {
        return new ManifestLine(file, p.text(), seed, model, request.steps(), request.guidance(), p.style(), detected,
                p.scene(), scene);
    }
}
