package dev.conceptprune.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.eval.EvalPlan;
import dev.conceptprune.eval.EvalRun;
import dev.conceptprune.eval.HtmlReport;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.PrunedModelWriter;
import dev.conceptprune.weights.ModelFolder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code erase --eval}: evaluates the base model, the edited model and, with {@code --sweep},
 * one edited model per setting on a prompt set, then plots erasure against preservation.
 * Erasure = relative drop of the first label's zero-shot share (the erased concept);
 * preservation = mean CLIP score relative to the base model.
 */
final class SweepEvaluation {
    private final ModelFolder base;
    private final Path out;
    private final int batch;
    private final boolean force;

    SweepEvaluation(ModelFolder base, Path out, int batch, boolean force) {
        this.base = base;
        this.out = out;
        this.batch = batch;
        this.force = force;
    }

    @SuppressWarnings("unchecked")
    void run(Path prompts, SamplingOptions sampling, Path clip, List<String> labels, List<Map<String, Object>> reports,
             PrintWriter err) {
        List<Path> models = new ArrayList<>(List.of(base.root(), out.resolve("model")));
        List<String> settings = new ArrayList<>(List.of("edited"));
        for (Map<String, Object> concept : reports) {
            Object sweep = concept.get("sweep");
            if (sweep == null) {
                continue;
            }
            for (Map<String, Object> e : (List<Map<String, Object>>) sweep) {
                Path mask = out.resolve((String) e.get("mask"));
                String name = mask.getFileName().toString().replace(".mask.safetensors", "");
                Path dir = out.resolve("sweep").resolve(name);
                PrunedModelWriter.export(base, PruneMask.read(mask), dir, true);
                models.add(dir);
                settings.add(concept.get("concept") + " skill_ratio=" + e.get("skill_ratio") + " tau=" + e.get("tau"));
            }
        }
        EvalPlan plan = EvalCommand.plan(models, prompts, sampling, labels, null);
        new EvalRun(plan, clip, batch, out.resolve("eval"), err).run(force);
        if (clip != null && models.size() > 2) {
            writeTradeOff(labels, settings);
        }
    }

    private void writeTradeOff(List<String> labels, List<String> settings) {
        JsonObject metrics;
        try {
            metrics = JsonParser.parseString(Files.readString(out.resolve("eval/metrics.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + out.resolve("eval/metrics.json"), e);
        }
        List<JsonElement> models = metrics.getAsJsonArray("models").asList();
        JsonObject first = models.get(0).getAsJsonObject();
        double baseClip = number(first, "mean_clip_score");
        double baseShare = labels.isEmpty() ? Double.NaN : share(first, labels.get(0));
        List<HtmlReport.Point> points = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < models.size(); i++) {
            JsonObject m = models.get(i).getAsJsonObject();
            double erasure = labels.isEmpty() || baseShare <= 0 ? Double.NaN
                    : (baseShare - share(m, labels.get(0))) / baseShare;
            double preservation = number(m, "mean_clip_score") / baseClip;
            points.add(new HtmlReport.Point(settings.get(i - 1), erasure, preservation));
            rows.add(HtmlReport.cells(settings.get(i - 1), m.get("name").getAsString(), HtmlReport.num(erasure),
                    HtmlReport.num(preservation)));
        }
        new HtmlReport("ConceptPrune sweep: erasure vs preservation")
                .section("Settings", "Erasure: relative drop of the zero-shot share of '"
                        + (labels.isEmpty() ? "(no labels)" : labels.get(0)) + "' against the base model. Preservation:"
                        + " mean CLIP score relative to the base model. Images and per-model figures: eval/report.html.")
                .table("numeric", List.of("setting", "model", "erasure", "preservation"), rows)
                .tradeOff("erasure", "preservation", points)
                .write(out.resolve("sweep-report.html"));
    }

    private static double number(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsDouble() : Double.NaN;
    }

    private static double share(JsonObject o, String label) {
        JsonObject d = o.has("label_distribution") ? o.getAsJsonObject("label_distribution") : null;
        return d != null && d.has(label) ? d.get(label).getAsDouble() : Double.NaN;
    }
}
