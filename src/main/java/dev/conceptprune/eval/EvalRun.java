package dev.conceptprune.eval;

import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.vae.Images;
import dev.conceptprune.weights.ModelFolder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Carries out an evaluation plan in an output folder: generates the images it does not already
 * hold, scores them with CLIP, and writes {@code manifest.jsonl}, {@code metrics.json} and
 * {@code report.html}. Every file is written atomically and the state is saved after each batch,
 * so an interrupted run continues where it stopped.
 */
public final class EvalRun {
    private static final List<String> OUTPUTS = List.of("manifest.jsonl", "metrics.json", "report.html", EvalState.FILE);

    /** What a run did. */
    public record Summary(int images, int generated, int reused, int scored, double seconds) {
    }

    private final EvalPlan plan;
    private final Path clip;
    private final int batch;
    private final Path out;
    private final PrintWriter err;

    /**
     * @param clip  a CLIP folder already checked with {@link ClipScorer#check}, or null to skip scoring
     * @param batch prompts per UNet batch
     */
    public EvalRun(EvalPlan plan, Path clip, int batch, Path out, PrintWriter err) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " exists and is not a folder");
        }
        this.plan = plan;
        this.clip = clip;
        this.batch = batch;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the plan. An output folder that holds another run (other models or prompt file) or
     * unrelated files is refused unless {@code force}, which removes that run's files.
     */
    public Summary run(boolean force) {
        long start = System.nanoTime();
        EvalState state = openOutput(force);
        removeStale(state);
        int toGenerate = (int) plan.images().stream().filter(i -> !state.hasImage(i, out)).count();
        EvalProgress progress = new EvalProgress(err, toGenerate);
        plan.problems().forEach(p -> err.println(plan.prompts().file() + ": " + p));
        err.flush();
        for (EvalModel m : plan.models()) {
            generate(m, state, progress);
        }
        Map<String, ImageScores> scores = new HashMap<>();
        int scored = clip == null ? 0 : score(state, scores, progress);
        Summary summary = new Summary(plan.images().size(), toGenerate, plan.images().size() - toGenerate, scored,
                (System.nanoTime() - start) / 1e9);
        EvalManifest.write(out.resolve("manifest.jsonl"), plan, scores);
        EvalMetrics metrics = EvalMetrics.of(plan, scores);
        metrics.write(out.resolve("metrics.json"), metricsRun(summary));
        EvalReport.write(out.resolve("report.html"), plan, metrics, scores, reportParameters(summary));
        return summary;
    }

    private EvalState openOutput(boolean force) {
        EvalState.Identity identity = EvalState.Identity.of(plan);
        EvalState old = EvalState.read(out);
        if (old != null && old.identity().equals(identity)) {
            return old;
        }
        if (!force && !isEmpty(out)) {
            throw new IllegalArgumentException("--out " + out + (old != null
                    ? " holds an evaluation of other models or another prompt file"
                    : " is not empty and holds no evaluation") + "; use --force to replace it or choose another --out");
        }
        if (old != null) {
            old.files().forEach(this::delete);
        }
        OUTPUTS.forEach(this::delete);
        EvalState fresh = EvalState.fresh(identity);
        // Saved before the first image, so that a run killed at any point can be resumed without --force.
        fresh.save(out);
        return fresh;
    }

    /** Removes images of rows that the prompt file no longer has, so the folder matches the manifest. */
    private void removeStale(EvalState state) {
        Set<String> planned = new HashSet<>();
        plan.images().forEach(i -> planned.add(i.file()));
        for (String f : state.files()) {
            if (!planned.contains(f)) {
                delete(f);
                state.forget(f);
            }
        }
    }

    private void generate(EvalModel model, EvalState state, EvalProgress progress) {
        List<EvalImage> all = plan.images(model);
        // One UNet batch shares a guidance scale, so rows are grouped by their evaluation_guidance.
        Map<Double, List<EvalImage>> byGuidance = new LinkedHashMap<>();
        for (EvalImage i : all) {
            if (!state.hasImage(i, out)) {
                byGuidance.computeIfAbsent(i.settings().guidance(), g -> new ArrayList<>()).add(i);
            }
        }
        int pending = byGuidance.values().stream().mapToInt(List::size).sum();
        progress.say("%s: %d images to generate, %d reused", model.name(), pending, all.size() - pending);
        if (pending == 0) {
            return;
        }
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(ModelFolder.open(model.path()))) {
            for (List<EvalImage> group : byGuidance.values()) {
                for (int from = 0; from < group.size(); from += batch) {
                    List<EvalImage> chunk = group.subList(from, Math.min(group.size(), from + batch));
                    GenerationSettings s = chunk.get(0).settings();
                    List<float[]> pixels = pipe.generateEach(chunk.stream().map(i -> i.settings().prompt()).toList(),
                            chunk.stream().map(i -> i.settings().seed()).toList(), s, batch,
                            progress.batch(model.name(), chunk.size()));
                    for (int k = 0; k < chunk.size(); k++) {
                        Images.writePng(Images.toImage(pixels.get(k), 0, s.height(), s.width()),
                                out.resolve(chunk.get(k).file()));
                        state.imageWritten(chunk.get(k));
                    }
                    state.save(out);
                    progress.generated(model.name(), chunk.size());
                }
            }
        }
    }

    /** Fills {@code scores} for every image, computing those the state does not hold; returns how many were computed. */
    private int score(EvalState state, Map<String, ImageScores> scores, EvalProgress progress) {
        try (EvalScorer scorer = new EvalScorer(clip, plan.labels())) {
            List<EvalImage> missing = new ArrayList<>();
            for (EvalImage i : plan.images()) {
                ImageScores s = state.scores(i, scorer.key());
                if (s == null) {
                    missing.add(i);
                } else {
                    scores.put(i.file(), s);
                }
            }
            progress.say("scoring %d images with CLIP, %d scores reused", missing.size(), scores.size());
            if (!missing.isEmpty()) {
                List<ImageScores> computed = scorer.score(missing, out);
                for (int k = 0; k < missing.size(); k++) {
                    scores.put(missing.get(k).file(), computed.get(k));
                    state.scored(missing.get(k), scorer.key(), computed.get(k));
                }
                state.save(out);
            }
            return missing.size();
        }
    }

    private Map<String, Object> metricsRun(Summary s) {
        GenerationSettings d = plan.defaults();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("steps", d.steps());
        settings.put("guidance", d.guidance());
        settings.put("seed", d.seed());
        settings.put("scheduler", d.scheduler());
        settings.put("negative_prompt", d.negativePrompt());
        settings.put("batch", batch);
        settings.put("clip", clip == null ? null : clip.toAbsolutePath().normalize().toString());
        settings.put("labels", plan.labels());
        settings.put("label_column", plan.labelColumn());
        Map<String, Object> images = new LinkedHashMap<>();
        images.put("total", s.images());
        images.put("generated", s.generated());
        images.put("reused", s.reused());
        images.put("scored", s.scored());
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("settings", settings);
        run.put("images", images);
        run.put("wall_seconds", s.seconds());
        return run;
    }

    private Map<String, Object> reportParameters(Summary s) {
        GenerationSettings d = plan.defaults();
        Map<String, Object> p = new LinkedHashMap<>();
        for (EvalModel m : plan.models()) {
            p.put("model " + m.name(), m.path() + " (" + m.height() + "x" + m.width() + ")");
        }
        PromptSet prompts = plan.prompts();
        p.put("prompts", prompts.file() + ": " + plan.images(plan.models().get(0)).size() + " used, "
                + plan.problems().size() + " problems");
        p.put("steps", d.steps());
        p.put("guidance", (prompts.rows().stream().anyMatch(r -> r.guidance() != null) ? "per row, else " : "")
                + d.guidance());
        p.put("seed", (prompts.rows().stream().anyMatch(r -> r.seed() != null) ? "per row, else " : "") + d.seed());
        p.put("scheduler", d.scheduler() == null ? "each model's own" : d.scheduler());
        p.put("negative prompt", d.negativePrompt().isEmpty() ? "(none)" : d.negativePrompt());
        p.put("CLIP", clip == null ? "(none)" : clip.toAbsolutePath().normalize());
        if (!plan.labels().isEmpty()) {
            p.put("zero-shot labels", String.join(" | ", plan.labels()));
        }
        if (plan.labelColumn() != null) {
            p.put("label column", plan.labelColumn());
        }
        p.put("images", s.images() + " (" + s.generated() + " generated, " + s.reused() + " reused)");
        p.put("wall time", String.format(Locale.ROOT, "%.1f s", s.seconds()));
        return p;
    }

    private static boolean isEmpty(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes an output file and, when that empties it, its image folder. */
    private void delete(String relative) {
        Path f = out.resolve(relative);
        try {
            Files.deleteIfExists(f);
            Path parent = f.getParent();
            if (!parent.equals(out) && parent.startsWith(out.resolve("images"))) {
                Files.deleteIfExists(parent);
            }
        } catch (DirectoryNotEmptyException e) {
            // other images of the model remain; the folder stays
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + f + ": " + e.getMessage(), e);
        }
    }
}
