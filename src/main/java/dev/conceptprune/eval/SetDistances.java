package dev.conceptprune.eval;

import dev.conceptprune.io.Progress;
import dev.conceptprune.metrics.FrechetDistance;
import dev.conceptprune.metrics.ImageFeatures;
import dev.conceptprune.metrics.KernelInceptionDistance;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The distance of each model's image set from the first model's (the baseline), FID and unbiased KID
 * over one feature extractor: how far an edit moved the model's output distribution on the prompts.
 */
public final class SetDistances {
    private static final int BATCH = 16;

    /** One model's distances from the baseline, and what they were measured over. */
    public record Distance(String features, int images, int baselineImages, double fid, double kid) {
    }

    private SetDistances() {
    }

    /** Per model after the first (by name), its distance from the first; empty with one model. */
    static Map<String, Distance> of(EvalPlan plan, ImageFeatures features, Path out, Progress progress) {
        Map<String, Distance> result = new LinkedHashMap<>();
        if (plan.models().size() < 2) {
            return result;
        }
        progress.say("eval: FID and KID over %s features of %d images", features.name(), plan.images().size());
        EvalModel first = plan.models().get(0);
        double[][] base = features(plan.images(first), features, out);
        for (EvalModel m : plan.models().subList(1, plan.models().size())) {
            double[][] f = features(plan.images(m), features, out);
            result.put(m.name(), new Distance(features.name(), f.length, base.length,
                    FrechetDistance.between(base, f), KernelInceptionDistance.between(base, f)));
        }
        return result;
    }

    private static double[][] features(List<EvalImage> images, ImageFeatures features, Path out) {
        List<double[]> rows = new ArrayList<>();
        for (int from = 0; from < images.size(); from += BATCH) {
            List<BufferedImage> batch = new ArrayList<>();
            for (EvalImage i : images.subList(from, Math.min(images.size(), from + BATCH))) {
                batch.add(EvalScoring.read(out.resolve(i.file())));
            }
            for (double[] r : features.features(batch)) {
                rows.add(r);
            }
        }
        return rows.toArray(new double[0][]);
    }
}
