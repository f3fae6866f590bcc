package dev.conceptprune.eval;

import dev.conceptprune.io.Json;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.io.AtomicFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code manifest.jsonl}: one JSON object per image with everything needed to regenerate and
 * re-score it: file, model, prompt row, sampler settings and scores. Every line has the same
 * fields; those that do not apply are null.
 */
public final class EvalManifest {
    /** {@code device} and {@code dtype} are what its products computed on and in (cpu, float32: the reference). */
    private record Model(String name, String path, String device, String dtype) {
    }

    private record Line(String file, Model model, int index, int line, String prompt, String negativePrompt, long seed,
                        double guidance, int steps, String scheduler, int height, int width, Integer caseNumber,
                        Map<String, String> labels, Map<String, Object> scores) {
    }

    private EvalManifest() {
    }

    /** Writes one line per image of the plan, in plan order; {@code scores} by file, empty without scoring. */
    public static void write(Path file, EvalPlan plan, Map<String, ImageScores> scores) {
        StringBuilder b = new StringBuilder();
        for (EvalImage i : plan.images()) {
            b.append(Json.line(line(i, scores.get(i.file())))).append('\n');
        }
        AtomicFiles.writeString(file, b.toString());
    }

    private static Line line(EvalImage image, ImageScores scores) {
        GenerationSettings s = image.settings();
        return new Line(image.file(), new Model(image.model().name(), image.model().path().toString(),
                image.model().device(), Runtime.name(image.model().compute())), image.index(),
                image.row().line(), s.prompt(), s.negativePrompt(), s.seed(), s.guidance(), s.steps(), s.scheduler(),
                s.height(), s.width(), image.row().caseNumber(), image.row().labels(),
                scores == null ? null : scores(scores));
    }

    /**
     * {@code clip_score}, then the CLIP zero-shot verdict as {@code zero_shot} (probabilities) and
     * {@code best_label}, then every other detector's verdict under its name.
     */
    private static Map<String, Object> scores(ImageScores s) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("clip_score", s.clipScore());
        Verdict zeroShot = s.verdict(ClipZeroShotDetector.NAME);
        o.put("zero_shot", zeroShot == null ? null : zeroShot.probabilities());
        o.put("best_label", zeroShot == null ? null : zeroShot.bestLabel());
        s.verdicts().forEach((name, v) -> {
            if (!name.equals(ClipZeroShotDetector.NAME)) {
                o.put(name, v);
            }
        });
        return o;
    }
}
