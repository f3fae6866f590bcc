package dev.conceptprune.eval;

import dev.conceptprune.io.Progress;
import dev.conceptprune.metrics.ImageFeatures;
import dev.conceptprune.metrics.Rate;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where an edited model lands on the prompts with the concept (issue 18): for each row with a neutral
 * prompt, the cosine similarity of the model's image to the first model's image of the neutral prompt
 * (same seed) and to the first model's image of the prompt itself, over unit image features (CLIP's).
 * A row lands on neutral when its image is nearer the neutral image than the baseline's image of the
 * concept; the baseline itself never does (its similarity to its own image is 1).
 */
public final class Neutrality {
    private static final int BATCH = 16;

    /**
     * One model's figures.
     *
     * @param features the image features compared
     * @param nearerNeutral rows whose image is nearer the neutral image than the baseline's, with its 95% interval
     * @param meanToNeutral mean cosine similarity to the neutral image
     * @param meanToBaseline mean cosine similarity to the baseline's image of the same row
     */
    public record Result(String features, Rate nearerNeutral, double meanToNeutral, double meanToBaseline) {
    }

    private Neutrality() {
    }

    /** Per model (by name, the neutral model left out), its figures over the rows with a neutral prompt. */
    static Map<String, Result> of(EvalPlan plan, ImageFeatures features, Path out, Progress progress) {
        EvalModel neutral = plan.neutralModel();
        List<EvalImage> neutralImages = plan.images(neutral);
        progress.say("eval: neutrality over %s features of %d rows with a neutral prompt", features.name(),
                neutralImages.size());
        EvalModel first = plan.models().get(0);
        Map<Integer, double[]> toNeutral = byRow(neutralImages, features, out);
        Map<Integer, double[]> baseline = byRow(plan.images(first), features, out);
        Map<String, Result> result = new LinkedHashMap<>();
        for (EvalModel m : plan.models()) {
            if (m.equals(neutral)) {
                continue;
            }
            Map<Integer, double[]> own = m.equals(first) ? baseline : byRow(plan.images(m), features, out);
            int n = 0;
            int nearer = 0;
            double sumNeutral = 0;
            double sumBaseline = 0;
            for (Map.Entry<Integer, double[]> e : toNeutral.entrySet()) {
                double[] f = own.get(e.getKey());
                double[] b = baseline.get(e.getKey());
                if (f == null || b == null) {
                    continue;
                }
                double sn = dot(f, e.getValue());
                double sb = dot(f, b);
                n++;
                nearer += sn > sb ? 1 : 0;
                sumNeutral += sn;
                sumBaseline += sb;
            }
            if (n > 0) {
                result.put(m.name(), new Result(features.name(), Rate.of(nearer, n), sumNeutral / n, sumBaseline / n));
            }
        }
        return result;
    }

    private static Map<Integer, double[]> byRow(List<EvalImage> images, ImageFeatures features, Path out) {
        Map<Integer, double[]> rows = new HashMap<>();
        for (int from = 0; from < images.size(); from += BATCH) {
            List<EvalImage> chunk = images.subList(from, Math.min(images.size(), from + BATCH));
            List<BufferedImage> batch = new ArrayList<>();
            for (EvalImage i : chunk) {
                batch.add(EvalScoring.read(out.resolve(i.file())));
            }
            double[][] f = features.features(batch);
            for (int k = 0; k < chunk.size(); k++) {
                rows.put(chunk.get(k).index(), f[k]);
            }
        }
        return rows;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
