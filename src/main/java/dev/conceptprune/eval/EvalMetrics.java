package dev.conceptprune.eval;

import com.google.gson.annotations.JsonAdapter;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.OmittedWhenNull;
import dev.conceptprune.metrics.Rate;
import dev.conceptprune.pipeline.GenerationSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-model summaries of an evaluation (mean CLIP score; per detector its label distribution and
 * accuracy against the label column) and their differences from the first model, the baseline.
 */
public final class EvalMetrics {
    /**
     * One detector's summary over one model's images.
     *
     * @param labelShare      per label, the share of images whose most probable label it is
     * @param labelCount      per label, the number of those images
     * @param meanProbability per label, its mean probability
     * @param images          images the shares are out of
     * @param labeled         images whose row names an expected label
     * @param correct         of those, images whose most probable label is the expected one
     * @param perClass        per expected label, its images' accuracy (the papers' per-class table)
     * @param classRates      per finer class the detector tallies (NudeNet's exposed classes), the
     *                        images that show it; empty for other detectors
     */
    public record DetectorMetrics(Map<String, Double> labelShare, Map<String, Integer> labelCount,
                                  Map<String, Double> meanProbability, int images, int labeled, int correct,
                                  Map<String, Rate> perClass, Map<String, Rate> classRates) {
        public DetectorMetrics {
            classRates = Collections.unmodifiableMap(new LinkedHashMap<>(classRates));
            perClass = Collections.unmodifiableMap(new LinkedHashMap<>(perClass));
            labelShare = Collections.unmodifiableMap(new LinkedHashMap<>(labelShare));
            labelCount = Collections.unmodifiableMap(new LinkedHashMap<>(labelCount));
            meanProbability = Collections.unmodifiableMap(new LinkedHashMap<>(meanProbability));
        }

        /** Per label, its count out of the images with the 95% Wilson interval. */
        public Map<String, Rate> labelRates() {
            Map<String, Rate> out = new LinkedHashMap<>();
            labelCount.forEach((label, k) -> out.put(label, Rate.of(k, images)));
            return out;
        }

        /** The accuracy as a rate of the labelled images, with its interval. */
        public Rate accuracyRate() {
            return Rate.of(correct, labeled);
        }

        /** Share of labelled images classified as their expected label; NaN without labelled images. */
        public double accuracy() {
            return labeled == 0 ? Double.NaN : correct / (double) labeled;
        }
    }

    /**
     * One model's summary; a figure that does not apply (no CLIP, no labelled rows) is NaN.
     *
     * @param detectors per detector name, its summary, in the run's detector order
     */
    public record ModelMetrics(EvalModel model, int count, double meanClipScore, Map<String, DetectorMetrics> detectors) {
        public ModelMetrics {
            detectors = Collections.unmodifiableMap(new LinkedHashMap<>(detectors));
        }
    }

    /** The {@code settings}, {@code images} and {@code wall_seconds} of metrics.json. */
    public record Run(Settings settings, Images images, double wallSeconds) {
        /** The run part of a finished run. */
        public Run(EvalPlan plan, Path clip, int batch, List<Detector> detectors, EvalRun.Summary s) {
            this(Settings.of(plan, clip, batch, detectors), new Images(s.images(), s.generated(), s.reused(), s.scored()),
                    s.seconds());
        }
    }

    /** The run's sampler defaults and scoring inputs; per detector besides CLIP, its settings (model, threshold). */
    public record Settings(int steps, double guidance, long seed, String scheduler, String negativePrompt, int batch,
                           String clip, List<String> labels, String labelColumn,
                           Map<String, Map<String, Object>> detectors) {
        static Settings of(EvalPlan plan, Path clip, int batch, List<Detector> detectors) {
            GenerationSettings d = plan.defaults();
            Map<String, Map<String, Object>> settings = new LinkedHashMap<>();
            detectors.forEach(x -> settings.put(x.name(), x.settings()));
            return new Settings(d.steps(), d.guidance(), d.seed(), d.scheduler(), d.negativePrompt(), batch,
                    clip == null ? null : clip.toAbsolutePath().normalize().toString(), plan.labels(), plan.labelColumn(),
                    settings);
        }
    }

    /** Image counts of a run. */
    public record Images(int total, int generated, int reused, int scored) {
    }

    private record Prompts(String file, int rows, int imagesPerModel, int problems, List<String> problemLines) {
    }

    private record Accuracy(String column, int labeled, int correct, Double value, Double low, Double high,
                            @JsonAdapter(value = OmittedWhenNull.class, nullSafe = false) Map<String, String> undefined) {
    }

    private static final String NO_CLIP_SCORE = "no image has a CLIP score (scoring needs a CLIP model)";
    private static final String NO_LABELED_ROW = "no prompt row names an expected label";

    private record MetricsFile(Settings settings, Images images, double wallSeconds, Prompts prompts, String baseline,
                        List<Map<String, Object>> models) {
    }

    private final EvalPlan plan;
    private final boolean scored;
    private final Map<String, List<String>> detectorLabels;
    private final List<ModelMetrics> models;
    private final Map<String, SetDistances.Distance> distances;
    private final Map<String, Neutrality.Result> neutrality;

    private EvalMetrics(EvalPlan plan, boolean scored, Map<String, List<String>> detectorLabels,
                        List<ModelMetrics> models, Map<String, SetDistances.Distance> distances,
                        Map<String, Neutrality.Result> neutrality) {
        this.plan = plan;
        this.scored = scored;
        this.detectorLabels = Collections.unmodifiableMap(new LinkedHashMap<>(detectorLabels));
        this.models = List.copyOf(models);
        this.distances = Collections.unmodifiableMap(new LinkedHashMap<>(distances));
        this.neutrality = Collections.unmodifiableMap(new LinkedHashMap<>(neutrality));
    }

    /** These metrics with each model's FID and KID from the baseline (by model name). */
    EvalMetrics withDistances(Map<String, SetDistances.Distance> d) {
        return new EvalMetrics(plan, scored, detectorLabels, models, d, neutrality);
    }

    /** These metrics with each model's {@link Neutrality} (by model name). */
    EvalMetrics withNeutrality(Map<String, Neutrality.Result> n) {
        return new EvalMetrics(plan, scored, detectorLabels, models, distances, n);
    }

    /** How near each model's images are to the neutral prompts' images, by model name; empty unless measured. */
    public Map<String, Neutrality.Result> neutrality() {
        return neutrality;
    }

    /** FID and KID of each model after the first from the first, by model name; empty unless measured. */
    public Map<String, SetDistances.Distance> distances() {
        return distances;
    }

    /**
     * Summaries of a plan's images.
     *
     * @param detectorLabels per detector name (in report order), the labels it reports
     * @param scores         every image's scores by file, or nothing when nothing was measured
     */
    public static EvalMetrics of(EvalPlan plan, Map<String, List<String>> detectorLabels,
                                 Map<String, ImageScores> scores) {
        List<ModelMetrics> out = new ArrayList<>();
        for (EvalModel m : plan.models()) {
            List<EvalImage> images = plan.images(m);
            int n = images.size();
            double clipSum = 0;
            boolean clip = false;
            for (EvalImage i : images) {
                ImageScores s = scores.get(i.file());
                if (s != null && s.clipScore() != null) {
                    clipSum += s.clipScore();
                    clip = true;
                }
            }
            Map<String, DetectorMetrics> detectors = new LinkedHashMap<>();
            detectorLabels.forEach((name, labels) -> detectors.put(name, detector(plan, images, name, labels, scores)));
            out.add(new ModelMetrics(m, n, clip ? clipSum / n : Double.NaN, detectors));
        }
        return new EvalMetrics(plan, !scores.isEmpty(), detectorLabels, out, Map.of(), Map.of());
    }

    private static DetectorMetrics detector(EvalPlan plan, List<EvalImage> images, String name, List<String> labels,
                                            Map<String, ImageScores> scores) {
        Map<String, Double> share = zeros(labels);
        Map<String, Integer> count = new LinkedHashMap<>();
        labels.forEach(l -> count.put(l, 0));
        Map<String, Double> prob = zeros(labels);
        int labeled = 0;
        int correct = 0;
        Map<String, int[]> perClass = new LinkedHashMap<>();
        Map<String, Integer> tallies = new LinkedHashMap<>();
        for (EvalImage i : images) {
            ImageScores s = scores.get(i.file());
            Verdict v = s == null ? null : s.verdict(name);
            if (v == null) {
                continue;
            }
            v.probabilities().forEach((label, p) -> prob.merge(label, p, Double::sum));
            share.merge(v.bestLabel(), 1.0, Double::sum);
            count.merge(v.bestLabel(), 1, Integer::sum);
            v.counts().forEach((c, k) -> tallies.merge(c, k, Integer::sum));
            String expected = plan.expectedLabel(i.row(), labels);
            if (expected != null) {
                labeled++;
                int hit = expected.equals(v.bestLabel()) ? 1 : 0;
                correct += hit;
                int[] c = perClass.computeIfAbsent(expected, k -> new int[2]);
                c[0] += hit;
                c[1]++;
            }
        }
        int n = images.size();
        share.replaceAll((label, x) -> x / n);
        prob.replaceAll((label, x) -> x / n);
        Map<String, Rate> classes = new LinkedHashMap<>();
        perClass.forEach((label, c) -> classes.put(label, Rate.of(c[0], c[1])));
        Map<String, Rate> classRates = new LinkedHashMap<>();
        tallies.forEach((c, k) -> classRates.put(c, Rate.of(k, n)));
        return new DetectorMetrics(share, count, prob, n, labeled, correct, classes, classRates);
    }

    /** One summary per model, in the plan's order; the first is the baseline. */
    public List<ModelMetrics> models() {
        return models;
    }

    /** True when images were measured (CLIP score or detectors). */
    public boolean scored() {
        return scored;
    }

    /**
     * Writes {@code metrics.json}: {@code run}, the prompt problems, and per model its summary and
     * {@code delta_vs_first}. Figures that do not apply are null, with the reason under {@code undefined}. The CLIP zero-shot detector's
     * figures are top-level keys of a model; other detectors' go under {@code detectors}.
     */
    public void write(Path file, Run run) {
        Prompts prompts = new Prompts(plan.prompts().file().toString(), plan.prompts().rows().size(),
                plan.images(plan.models().get(0)).size(), plan.problems().size(), plan.problems());
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
            if (distances.containsKey(m.model().name())) {
                o.put("distance_from_first", distances.get(m.model().name()));
            }
            if (neutrality.containsKey(m.model().name())) {
                o.put("neutrality", neutrality.get(m.model().name()));
            }
            list.add(o);
        }
        Json.write(file, new MetricsFile(run.settings(), run.images(), run.wallSeconds(), prompts, first.model().name(), list));
    }

    /** The figures of a model the run measured, keyed as in metrics.json. */
    private Map<String, Object> figures(ModelMetrics m) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (!scored) {
            return o;
        }
        Json.Undefined undefined = new Json.Undefined();
        o.put("mean_clip_score", undefined.figure("mean_clip_score", m.meanClipScore(), NO_CLIP_SCORE));
        Map<String, Object> others = new LinkedHashMap<>();
        m.detectors().forEach((name, d) -> {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("label_distribution", d.labelShare());
            f.put("label_rates", d.labelRates());
            f.put("mean_label_probability", d.meanProbability());
            if (!d.classRates().isEmpty()) {
                f.put("class_rates", d.classRates());
            }
            if (plan.labelColumn() != null) {
                Json.Undefined why = new Json.Undefined();
                Rate a = d.accuracyRate();
                f.put("accuracy", new Accuracy(plan.labelColumn(), d.labeled(), d.correct(),
                        why.figure("value", d.accuracy(), NO_LABELED_ROW), why.figure("low", a.low(), NO_LABELED_ROW),
                        why.figure("high", a.high(), NO_LABELED_ROW), why.reasons()));
                f.put("accuracy_per_class", d.perClass());
            }
            if (name.equals(ClipZeroShotDetector.NAME)) {
                o.putAll(f);
            } else {
                others.put(name, f);
            }
        });
        if (!others.isEmpty()) {
            o.put("detectors", others);
        }
        putUndefined(o, undefined);
        return o;
    }

    private Map<String, Object> delta(ModelMetrics m, ModelMetrics base) {
        Map<String, Object> d = new LinkedHashMap<>();
        Json.Undefined undefined = new Json.Undefined();
        d.put("mean_clip_score", undefined.figure("mean_clip_score", m.meanClipScore() - base.meanClipScore(),
                NO_CLIP_SCORE + " for one of the two models"));
        Map<String, Object> others = new LinkedHashMap<>();
        m.detectors().forEach((name, det) -> {
            DetectorMetrics b = base.detectors().get(name);
            Map<String, Double> share = new LinkedHashMap<>();
            det.labelShare().forEach((label, v) -> share.put(label, v - b.labelShare().get(label)));
            if (name.equals(ClipZeroShotDetector.NAME)) {
                d.put("label_distribution", share);
                if (plan.labelColumn() != null) {
                    d.put("accuracy", undefined.figure("accuracy", det.accuracy() - b.accuracy(), NO_LABELED_ROW));
                }
            } else {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("label_distribution", share);
                if (plan.labelColumn() != null) {
                    Json.Undefined why = new Json.Undefined();
                    o.put("accuracy", why.figure("accuracy", det.accuracy() - b.accuracy(), NO_LABELED_ROW));
                    putUndefined(o, why);
                }
                others.put(name, o);
            }
        });
        if (!others.isEmpty()) {
            d.put("detectors", others);
        }
        putUndefined(d, undefined);
        return d;
    }

    /** Labels per detector name, in report order. */
    public Map<String, List<String>> detectorLabels() {
        return detectorLabels;
    }

    private static Map<String, Double> zeros(List<String> labels) {
        Map<String, Double> m = new LinkedHashMap<>();
        labels.forEach(l -> m.put(l, 0.0));
        return m;
    }

    private static void putUndefined(Map<String, Object> o, Json.Undefined undefined) {
        Map<String, String> reasons = undefined.reasons();
        if (reasons != null) {
            o.put("undefined", reasons);
        }
    }
}
