package dev.conceptprune.eval;

import dev.conceptprune.prune.EraseJob;
import dev.conceptprune.prune.EraseResult;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.EditedModel;
import dev.conceptprune.prune.WeightEdits;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.io.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code erase --eval}: evaluates the base model, the edited model and one edited model per sweep
 * mask of an {@link EraseResult} on a prompt set, then plots erasure against preservation.
 * Erasure = relative drop of the first label's zero-shot share (the erased concept);
 * preservation = mean CLIP score relative to the base model.
 */
public final class SweepEvaluation {
    /** The evaluation's folder inside the erase output folder. */
    public static final String EVAL_DIR = "eval";

    private final ModelSource base;
    private final Path out;
    private final Path clip;
    private final List<String> labels;
    private final int batch;

    /**
     * @param out the erase job's output folder
     * @param clip CLIP model folder, or null for images without scores
     * @param labels zero-shot labels; the first names the erased concept
     * @param batch images per pipeline batch
     */
    public SweepEvaluation(ModelSource base, Path out, Path clip, List<String> labels, int batch) {
        this.base = base;
        this.out = out;
        this.clip = clip;
        this.labels = List.copyOf(labels);
        this.batch = batch;
    }

    /**
     * Exports the sweep models, plans with {@code planner} (models to evaluate -> plan) and runs the
     * evaluation into {@code OUT/eval}; writes {@code OUT/sweep-report.html} when there are sweep models.
     *
     * @return the evaluation report
     */
    public Path run(EraseResult erased, Function<List<Path>, EvalPlan> planner, boolean force, Progress progress) {
        List<Path> models = new ArrayList<>(List.of(base.location(), EraseJob.editedModel(base, out)));
        List<String> settings = new ArrayList<>(List.of("edited"));
        for (EraseResult.ConceptResult concept : erased.concepts()) {
            if (concept.sweep() == null) {
                continue;
            }
            for (EraseResult.SweepMask e : concept.sweep()) {
                Path mask = out.resolve(e.mask());
                String name = mask.getFileName().toString().replace(".mask.safetensors", "");
                Path dir = out.resolve("sweep").resolve(name);
                Path target = EditedModel.target(base, dir, dir);
                EditedModel.export(base, WeightEdits.of(base, PruneMask.read(mask)), target, true);
                models.add(target);
                settings.add(concept.concept() + " skill_ratio=" + e.skillRatio() + " tau=" + e.tau());
            }
        }
        EvalRun.Summary run = new EvalRun(planner.apply(models), clip, List.of(), batch, out.resolve(EVAL_DIR), progress)
                .run(force);
        if (clip != null && models.size() > 2) {
            writeTradeOff(settings, run.metrics());
        }
        return out.resolve(EVAL_DIR).resolve("report.html");
    }

    private void writeTradeOff(List<String> settings, EvalMetrics metrics) {
        EvalMetrics.ModelMetrics first = metrics.models().get(0);
        double baseShare = labels.isEmpty() ? Double.NaN : share(first, labels.get(0));
        List<HtmlReport.Point> points = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        // The settings' models follow the base model; a neutral model, if any, comes after them.
        for (int i = 1; i <= settings.size(); i++) {
            EvalMetrics.ModelMetrics m = metrics.models().get(i);
            double erasure = labels.isEmpty() || baseShare <= 0 ? Double.NaN
                    : (baseShare - share(m, labels.get(0))) / baseShare;
            double preservation = m.meanClipScore() / first.meanClipScore();
            points.add(new HtmlReport.Point(settings.get(i - 1), erasure, preservation));
            Neutrality.Result neutral = metrics.neutrality().get(m.model().name());
            rows.add(HtmlReport.cells(settings.get(i - 1), m.model().name(), HtmlReport.num(erasure),
                    HtmlReport.num(preservation), neutral == null ? "n/a"
                            : HtmlReport.countAndInterval(neutral.nearerNeutral())));
        }
        new HtmlReport("ConceptPrune sweep: erasure vs preservation")
                .section("Settings", "Erasure: relative drop of the zero-shot share of '"
                        + (labels.isEmpty() ? "(no labels)" : labels.get(0)) + "' against the base model. Preservation:"
                        + " mean CLIP score relative to the base model. Neutral: with a neutral_prompt column, the rows "
                        + "whose image is nearer the base model's image of the neutral prompt than its image of the "
                        + "prompt. Images and per-model figures: eval/report.html.")
                .table("numeric", List.of("setting", "model", "erasure", "preservation", "neutral"), rows)
                .tradeOff("erasure", "preservation", points)
                .write(out.resolve("sweep-report.html"));
    }

    /** The zero-shot share of a label in a model's images; NaN when the run did not classify them. */
    private static double share(EvalMetrics.ModelMetrics m, String label) {
        EvalMetrics.DetectorMetrics zeroShot = m.detectors().get(ClipZeroShotDetector.NAME);
        Double d = zeroShot == null ? null : zeroShot.labelShare().get(label);
        return d == null ? Double.NaN : d;
    }
}
