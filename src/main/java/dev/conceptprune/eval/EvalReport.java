package dev.conceptprune.eval;

import dev.conceptprune.pipeline.GenerationSettings;
import java.nio.file.Path;
import dev.conceptprune.metrics.Rate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html} of an evaluation: run parameters, a metric table with each model's
 * difference from the first, prompt problems, and the images side by side (rows = prompts,
 * columns = models).
 */
public final class EvalReport {
    private EvalReport() {
    }

    /** Writes the report; {@code scores} by file, empty without CLIP; {@code parameters} as they should be listed. */
    public static void write(Path file, EvalPlan plan, EvalMetrics metrics, Map<String, ImageScores> scores,
                             Map<String, ?> parameters) {
        HtmlReport r = new HtmlReport("ConceptPrune evaluation: " + plan.prompts().file().getFileName());
        r.section("Run parameters", "").parameters(parameters);
        metricTable(r, plan, metrics);
        neutralityTable(r, plan, metrics);
        classTables(r, metrics);
        if (!plan.problems().isEmpty()) {
            r.section("Prompt problems (" + plan.problems().size() + ")", "Rows of " + plan.prompts().file()
                    + " that were skipped, or whose bytes were repaired:").pre(String.join("\n", plan.problems()));
        }
        r.section("Images", "Rows: prompts; columns: models.").grid(
                plan.models().stream().map(EvalModel::name).toList(), gridRows(plan, scores));
        r.write(file);
    }

    private static void metricTable(HtmlReport r, EvalPlan plan, EvalMetrics metrics) {
        if (!metrics.scored()) {
            r.section("Metrics", "No CLIP model was given, so the images were not scored.");
            return;
        }
        List<String> header = new ArrayList<>(List.of("model", "images", "mean CLIP score", "\u0394 CLIP score"));
        metrics.detectorLabels().forEach((name, labels) -> {
            for (String label : labels) {
                header.add(prefix(name) + "classified '" + label + "'");
                header.add("\u0394");
            }
        });
        if (plan.labelColumn() != null) {
            metrics.detectorLabels().keySet().forEach(name -> {
                header.add(prefix(name) + "accuracy vs '" + plan.labelColumn() + "'");
                header.add("\u0394 accuracy");
            });
        }
        EvalMetrics.ModelMetrics base = metrics.models().get(0);
        List<List<String>> rows = new ArrayList<>();
        for (EvalMetrics.ModelMetrics m : metrics.models()) {
            boolean first = m == base;
            List<String> row = new ArrayList<>(List.of(m.model().name(), String.valueOf(m.count()),
                    fixed(m.meanClipScore(), 2), first ? "baseline" : signed(m.meanClipScore() - base.meanClipScore(), 2)));
            m.detectors().forEach((name, d) -> {
                for (String label : metrics.detectorLabels().get(name)) {
                    double share = d.labelShare().get(label);
                    row.add(HtmlReport.interval(d.labelRates().get(label)));
                    row.add(first ? "" : points(share - base.detectors().get(name).labelShare().get(label)));
                }
            });
            if (plan.labelColumn() != null) {
                m.detectors().forEach((name, d) -> {
                    EvalMetrics.DetectorMetrics b = base.detectors().get(name);
                    row.add(HtmlReport.interval(d.accuracyRate()) + " (" + d.correct() + "/" + d.labeled() + ")");
                    row.add(first ? "" : points(d.accuracy() - b.accuracy()));
                });
            }
            rows.add(row);
        }
        String text = "CLIP score: 100 \u00b7 max(cosine, 0) of the image and its prompt, averaged over the images."
                + (metrics.detectorLabels().isEmpty() ? "" : " Classified: share of images whose most probable zero-shot label"
                + " it is.") + " Rates show their 95% Wilson interval in brackets, out of the model's images "
                + "(accuracy: out of the rows whose label column names one of the detector's labels)."
                + " \u0394: difference from the first model.";
        r.section("Metrics", text).table("metrics numeric", header, rows);
    }

    private static void neutralityTable(HtmlReport r, EvalPlan plan, EvalMetrics metrics) {
        if (metrics.neutrality().isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        metrics.neutrality().forEach((name, n) -> rows.add(HtmlReport.cells(name,
                HtmlReport.countAndInterval(n.nearerNeutral()), fixed(n.meanToNeutral(), 3),
                fixed(n.meanToBaseline(), 3))));
        r.section("Neutrality", "Rows with a " + EvalPlan.NEUTRAL_COLUMN + ": is the model's image nearer "
                + plan.neutralModel().name() + "'s image of the neutral prompt (same seed) than "
                + plan.models().get(0).name() + "'s image of the prompt? Cosine similarity of "
                + metrics.neutrality().values().iterator().next().features() + " image features; the baseline "
                + "is never nearer (its similarity to its own image is 1). Count / n, the rate and its 95% Wilson "
                + "interval.").table("neutrality numeric", List.of("model", "nearer the neutral image",
                        "mean similarity to the neutral image", "mean similarity to the baseline's image"), rows);
    }

    /**
     * The per-class tables the papers print, one per detector that has them: NudeNet's exposed classes
     * (images showing each) and, with a label column, accuracy per expected class; one column per
     * model and the difference from the first.
     */
    private static void classTables(HtmlReport r, EvalMetrics metrics) {
        if (!metrics.scored()) {
            return;
        }
        EvalMetrics.ModelMetrics base = metrics.models().get(0);
        for (String name : metrics.detectorLabels().keySet()) {
            classTable(r, metrics, base, name, "images showing each class", d -> d.classRates());
            classTable(r, metrics, base, name, "accuracy per expected class", d -> d.perClass());
        }
    }

    private static void classTable(HtmlReport r, EvalMetrics metrics, EvalMetrics.ModelMetrics base, String name,
                                   String what, java.util.function.Function<EvalMetrics.DetectorMetrics,
                                           Map<String, Rate>> figures) {
        Map<String, Rate> first = figures.apply(base.detectors().get(name));
        if (first.isEmpty()) {
            return;
        }
        List<String> header = new ArrayList<>(List.of("class"));
        for (EvalMetrics.ModelMetrics m : metrics.models()) {
            header.add(m.model().name());
            if (m != base) {
                header.add("\u0394 " + m.model().name());
            }
        }
        List<List<String>> rows = new ArrayList<>();
        for (String c : first.keySet()) {
            List<String> row = new ArrayList<>(List.of(c));
            for (EvalMetrics.ModelMetrics m : metrics.models()) {
                Rate x = figures.apply(m.detectors().get(name)).get(c);
                row.add(x == null ? "n/a" : x.count() + "/" + x.n() + " " + HtmlReport.interval(x));
                if (m != base) {
                    row.add(x == null || !x.defined() || !first.get(c).defined() ? ""
                            : points(x.rate() - first.get(c).rate()));
                }
            }
            rows.add(row);
        }
        r.section(name + ": " + what, "Count out of n, the rate and its 95% Wilson interval; \u0394: difference "
                + "from the first model.").table("classes numeric", header, rows);
    }

    private static List<HtmlReport.Row> gridRows(EvalPlan plan, Map<String, ImageScores> scores) {
        // Every model has an image for the same rows, except the neutral model (rows with a neutral prompt only).
        List<Map<Integer, EvalImage>> byModel = new ArrayList<>();
        for (EvalModel m : plan.models()) {
            Map<Integer, EvalImage> byRow = new java.util.HashMap<>();
            plan.images(m).forEach(i -> byRow.put(i.index(), i));
            byModel.add(byRow);
        }
        List<HtmlReport.Row> rows = new ArrayList<>();
        for (EvalImage first : plan.images(plan.models().get(0))) {
            List<String> images = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            for (Map<Integer, EvalImage> model : byModel) {
                EvalImage i = model.get(first.index());
                images.add(i == null ? null : i.file());
                captions.add(i == null ? "" : caption(scores.get(i.file())));
            }
            rows.add(new HtmlReport.Row(promptText(first, plan), images, captions));
        }
        return rows;
    }

    private static String promptText(EvalImage i, EvalPlan plan) {
        StringBuilder b = new StringBuilder("#" + i.index() + "  " + i.row().prompt() + "  (seed " + i.settings().seed()
                + ", guidance " + i.settings().guidance());
        String expected = plan.labelColumn() == null ? null : i.row().labels().get(plan.labelColumn());
        if (expected != null && !expected.isBlank()) {
            b.append(", ").append(plan.labelColumn()).append(": ").append(expected.strip());
        }
        return b.append(')').toString();
    }

    private static String caption(ImageScores s) {
        if (s == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        if (s.clipScore() != null) {
            parts.add("CLIP " + fixed(s.clipScore(), 1));
        }
        s.verdicts().forEach((name, v) -> parts.add(prefix(name) + v.bestLabel() + " "
                + HtmlReport.pct(v.probabilities().get(v.bestLabel()))));
        return String.join(" \u00b7 ", parts);
    }

    /** Column and caption prefix of a detector's figures; none for CLIP zero-shot, the original one. */
    private static String prefix(String detector) {
        return detector.equals(ClipZeroShotDetector.NAME) ? "" : detector + ": ";
    }

    /** The run parameters as the report lists them. */
    static Map<String, Object> parameters(EvalPlan plan, Path clip, EvalRun.Summary s) {
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

    private static String fixed(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "n/a";
    }

    private static String signed(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%+." + decimals + "f", v) : "n/a";
    }

    /** A difference of two shares in percentage points. */
    private static String points(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%+.1f pp", 100 * v) : "n/a";
    }
}
