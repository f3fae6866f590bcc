package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import dev.conceptprune.clip.ClipScorer;
import dev.conceptprune.io.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Carries out an evaluation plan in an output folder: generates the images the folder does not
 * already hold, measures them, gathers every stored result and writes {@code manifest.jsonl},
 * {@code metrics.json} and {@code report.html}. Results are stored per image as they are made
 * ({@link EvalStore}), so an interrupted run continues where it stopped and several runs of the
 * same plan may fill one folder at once.
 */
public final class EvalRun {
    private static final List<String> OUTPUTS = List.of("manifest.jsonl", "metrics.json", "report.html");

    /** What a run did. */
    public record Summary(int images, int generated, int reused, int scored, double seconds, EvalMetrics metrics,
                          Map<String, ImageScores> scores) {
        public Summary {
            scores = Map.copyOf(scores);
        }
    }

    private final EvalPlan plan;
    private final Path clip;
    private final List<Detector> detectors;
    private final int batch;
    private final Path out;
    private final Progress progress;
    private final EvalStore store;
    private final EvalGenerator generator;
    private boolean setDistances;
    private ImageGeneration generation = ImageGeneration.LOCAL;

    /**
     * @param clip      a CLIP folder already checked with {@link ClipScorer#check}, or null to skip the CLIP score
     * @param detectors detectors besides CLIP zero-shot over the plan's labels; the run closes them
     * @param batch     prompts per UNet batch
     * @throws InputException when {@code batch} is below 1 or {@code out} is not a folder
     */
    public EvalRun(EvalPlan plan, Path clip, List<Detector> detectors, int batch, Path out, Progress progress) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new InputException("output folder " + out + " exists and is not a folder");
        }
        this.plan = plan;
        this.clip = clip;
        this.detectors = List.copyOf(detectors);
        this.batch = batch;
        this.out = out;
        this.progress = progress;
        this.store = new EvalStore(out);
        this.generator = new EvalGenerator(batch, store, progress);
    }

    /** Generates the missing images with {@code engine} instead of in this process; the caller closes it. */
    public EvalRun withGeneration(ImageGeneration engine) {
        generation = engine;
        return this;
    }

    /** Also measures FID and KID of every model's images from the first model's, over CLIP's image features. */
    public EvalRun withSetDistances(boolean on) {
        setDistances = on;
        return this;
    }

    /**
     * Runs the plan. An output folder that holds another run (other models or prompt file) or
     * unrelated files is refused unless {@code force}, which removes that run's files.
     */
    public Summary run(boolean force) {
        long start = System.nanoTime();
        openOutput(force);
        removeStale();
        int toGenerate = (int) plan.images().stream().filter(i -> !store.hasImage(i)).count();
        plan.problems().forEach(p -> progress.say("%s: %s", plan.prompts().file(), p));
        try (EvalScoring scoring = EvalScoring.open(clip, plan.labels(), detectors)) {
            generate(plan.images(), toGenerate);
            int scored = scoring.active() ? score(scoring) : 0;
            Map<String, ImageScores> scores = scoring.gather(plan.images(), store);
            EvalMetrics metrics = EvalMetrics.of(plan, labelsByDetector(scoring), scores);
            if (setDistances && clip != null) {
                metrics = metrics.withDistances(SetDistances.of(plan, scoring.clipFeatures(clip), out, progress));
            }
            if (plan.neutralModel() != null && clip != null) {
                metrics = metrics.withNeutrality(Neutrality.of(plan, scoring.clipFeatures(clip), out, progress));
            }
            Summary summary = new Summary(plan.images().size(), toGenerate, plan.images().size() - toGenerate, scored,
                    (System.nanoTime() - start) / 1e9, metrics, scores);
            EvalManifest.write(out.resolve("manifest.jsonl"), plan, scores);
            metrics.write(out.resolve("metrics.json"), new EvalMetrics.Run(plan, clip, batch, detectors, summary));
            EvalReport.write(out.resolve("report.html"), plan, metrics, scores, EvalReport.parameters(plan, clip, summary));
            return summary;
        }
    }

    /** Generates the given images of the plan that the folder lacks. */
    private void generate(List<EvalImage> images, int toGenerate) {
        Progress.Task task = progress.task("eval", "image", toGenerate, 0);
        generation.generate(plan, images, generator, task);
        if (toGenerate > 0) {
            task.finish();
        }
    }

    private int score(EvalScoring scoring) {
        List<EvalImage> missing = scoring.missing(plan.images(), store);
        progress.say("eval: scoring %d images with %s, %d scores reused", missing.size(), scoring.describe(),
                plan.images().size() - missing.size());
        return scoring.score(missing, store, out);
    }

    private static Map<String, List<String>> labelsByDetector(EvalScoring scoring) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        scoring.detectors().forEach(d -> m.put(d.name(), d.labels()));
        return m;
    }

    private void openOutput(boolean force) {
        EvalStore.Identity identity = EvalStore.Identity.of(plan);
        if (identity.equals(store.identity())) {
            return;
        }
        // Claimed before the first image, so that a run killed at any point can be resumed without being forced.
        // An empty folder is claimed without removing anything: another writer of the same plan may be starting too.
        if (isEmpty(out)) {
            store.claim(identity);
            return;
        }
        // A writer claims before it writes anything else, so a folder that filled up since the first look
        // holds its identity by now.
        EvalStore.Identity old = store.identity();
        if (identity.equals(old)) {
            return;
        }
        if (!force) {
            throw new OutputFolderInUseException(out, old != null
                    ? "holds an evaluation of other models or another prompt file"
                    : "is not empty and holds no evaluation");
        }
        store.files().forEach(this::delete);
        store.clear();
        OUTPUTS.forEach(this::delete);
        store.claim(identity);
    }

    /** Removes images of rows that the prompt file no longer has, so the folder matches the manifest. */
    private void removeStale() {
        Set<String> planned = new HashSet<>();
        plan.images().forEach(i -> planned.add(i.file()));
        for (String f : store.files()) {
            if (!planned.contains(f)) {
                delete(f);
                store.forget(f);
            }
        }
    }

    /** True when the folder is missing or holds nothing but another writer's half-written files. */
    private static boolean isEmpty(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).allMatch(n -> n.startsWith(".") && n.endsWith(".tmp"));
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
