package dev.conceptprune.eval;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.weights.AtomicFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code manifest.jsonl}: one JSON object per image with everything needed to regenerate and
 * re-score it: file, model, prompt row, sampler settings and CLIP scores. Every line has the same
 * fields; those that do not apply are null.
 */
public final class EvalManifest {
    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private EvalManifest() {
    }

    /** Writes one line per image of the plan, in plan order; {@code scores} by file, empty without CLIP. */
    public static void write(Path file, EvalPlan plan, Map<String, ImageScores> scores) {
        StringBuilder b = new StringBuilder();
        for (EvalImage i : plan.images()) {
            b.append(GSON.toJson(line(i, scores.get(i.file())))).append('\n');
        }
        AtomicFiles.writeString(file, b.toString());
    }

    private static Map<String, Object> line(EvalImage image, ImageScores scores) {
        GenerationSettings s = image.settings();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", image.model().name());
        model.put("path", image.model().path().toString());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("file", image.file());
        o.put("model", model);
        o.put("index", image.index());
        o.put("line", image.row().line());
        o.put("prompt", s.prompt());
        o.put("negative_prompt", s.negativePrompt());
        o.put("seed", s.seed());
        o.put("guidance", s.guidance());
        o.put("steps", s.steps());
        o.put("scheduler", s.scheduler());
        o.put("height", s.height());
        o.put("width", s.width());
        o.put("case_number", image.row().caseNumber());
        o.put("labels", image.row().labels());
        o.put("scores", scores == null ? null : scores(scores));
        return o;
    }

    private static Map<String, Object> scores(ImageScores s) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("clip_score", s.clipScore());
        o.put("zero_shot", s.bestLabel() == null ? null : s.probabilities());
        o.put("best_label", s.bestLabel());
        return o;
    }
}
