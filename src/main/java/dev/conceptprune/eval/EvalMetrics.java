package dev.conceptprune.eval;

import com.google.gson.GsonBuilder;
import dev.conceptprune.weights.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-model summaries of an evaluation (mean CLIP score, zero-shot label distribution, accuracy
 * against the label column) and their differences from the first model, the baseline.
 */
public final class EvalMetrics {
    /**
     * One model's summary; a figure that does not apply (no CLIP, no labels, no labelled rows) is NaN.
     *
     * @param labelShare      per label, the share of images whose most probable label it is
     * @param meanProbability per label, its mean zero-shot probability
     * @param labeled         images whose row names an expected label
     * @param correct         of those, images whose most probable label is the expected one
     */
    public record ModelMetrics(EvalModel model, int count, double meanClipScore, Map<String, Double> labelShare,
                               Map<String, Double> meanProbability, int labeled, int correct) {
        public ModelMetrics {
            labelShare = Collections.unmodifiableMap(new LinkedHashMap<>(labelShare));
            meanProbability = Collections.unmodifiableMap(new LinkedHashMap<>(meanProbability));
        }

        /** Share of labelled images classified as their expected label; NaN without labelled images. */
        public double accuracy() {
            return labeled == 0 ? Double.NaN : correct / (double) labeled;
        }
    }

    private final EvalPlan plan;
    private final boolean scored;
    private final List<ModelMetrics> models;

    private EvalMetrics(EvalPlan plan, boolean scored, List<ModelMetrics> models) {
        this.plan = plan;
        this.scored = scored;
        this.models = List.copyOf(models);
    }

    /** Summaries of a plan's images; {@code scores} holds every image's scores by file, or nothing when CLIP was not used. */
    public static EvalMetrics of(EvalPlan plan, Map<String, ImageScores> scores) {
        List<ModelMetrics> out = new ArrayList<>();
        for (EvalModel m : plan.models()) {
            List<EvalImage> images = plan.images(m);
            double clipSum = 0;
            Map<String, Double> share = zeros(plan.labels());
            Map<String, Double> prob = zeros(plan.labels());
            int labeled = 0;
            int correct = 0;
            for (EvalImage i : images) {
                ImageScores s = scores.get(i.file());
                if (s == null) {
                    continue;
                }
                clipSum += s.clipScore();
                s.probabilities().forEach((label, p) -> prob.merge(label, p, Double::sum));
                if (s.bestLabel() != null) {
                    share.merge(s.bestLabel(), 1.0, Double::sum);
                }
                String expected = plan.expectedLabel(i.row());
                if (expected != null) {
                    labeled++;
                    correct += expected.equals(s.bestLabel()) ? 1 : 0;
                }
            }
            int n = images.size();
            share.replaceAll((label, v) -> v / n);
            prob.replaceAll((label, v) -> v / n);
            out.add(new ModelMetrics(m, n, scores.isEmpty() ? Double.NaN : clipSum / n, share, prob, labeled, correct));
        }
        return new EvalMetrics(plan, !scores.isEmpty(), out);
    }

    /** One summary per model, in the plan's order; the first is the baseline. */
    public List<ModelMetrics> models() {
        return models;
    }

    /** True when images were scored with CLIP. */
    public boolean scored() {
        return scored;
    }

    /**
     * Writes {@code metrics.json}: {@code run} (settings and counts the caller supplies), the prompt
     * problems, and per model its summary and {@code delta_vs_first}. Figures that do not apply are null.
     */
    public void write(Path file, Map<String, Object> run) {
        Map<String, Object> root = new LinkedHashMap<>(run);
        Map<String, Object> prompts = new LinkedHashMap<>();
        prompts.put("file", plan.prompts().file().toString());
        prompts.put("rows", plan.prompts().rows().size());
        prompts.put("images_per_model", plan.images(plan.models().get(0)).size());
        prompts.put("problems", plan.problems().size());
        prompts.put("problem_lines", plan.problems());
        root.put("prompts", prompts);
        root.put("baseline", models.get(0).model().name());
        List<Map<String, Object>> list = new ArrayList<>();
        ModelMetrics first = models.get(0);
        for (ModelMetrics m : models) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", m.model().name());
            o.put("path", m.model().path().toString());
            o.put("count", m.count());
            o.putAll(figures(m));
            if (m != first && scored) {
                o.put("delta_vs_first", delta(m, first));
            }
            list.add(o);
        }
        root.put("models", list);
        AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
                .create().toJson(root) + "\n");
    }

    /** The figures of a model the run measured, keyed as in metrics.json. */
    private Map<String, Object> figures(ModelMetrics m) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (!scored) {
            return o;
        }
        o.put("mean_clip_score", finite(m.meanClipScore()));
        if (!plan.labels().isEmpty()) {
            o.put("label_distribution", m.labelShare());
            o.put("mean_label_probability", m.meanProbability());
        }
        if (plan.labelColumn() != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("column", plan.labelColumn());
            a.put("labeled", m.labeled());
            a.put("correct", m.correct());
            a.put("value", finite(m.accuracy()));
            o.put("accuracy", a);
        }
        return o;
    }

    private Map<String, Object> delta(ModelMetrics m, ModelMetrics base) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mean_clip_score", finite(m.meanClipScore() - base.meanClipScore()));
        if (!plan.labels().isEmpty()) {
            Map<String, Double> share = new LinkedHashMap<>();
            m.labelShare().forEach((label, v) -> share.put(label, v - base.labelShare().get(label)));
            d.put("label_distribution", share);
        }
        if (plan.labelColumn() != null) {
            d.put("accuracy", finite(m.accuracy() - base.accuracy()));
        }
        return d;
    }

    private static Map<String, Double> zeros(List<String> labels) {
        Map<String, Double> m = new LinkedHashMap<>();
        labels.forEach(l -> m.put(l, 0.0));
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
