package dev.conceptprune.prune;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The matched fill (issue 18): values for the pruned weights of a site that reads the text states (the
 * cross-attention's key and value projections) such that the prompts with the concept give the keys and
 * values their neutral prompts give, while the preserved prompts keep theirs. Zeros remove the concept's
 * features but leave what its token shares with its kind (on the toy world: another style); matching
 * the neutral prompt lands on what the model draws without the concept.
 *
 * <p>Per row w of a pruned weight, with J its pruned columns and the text states of every token of the
 * target prompts T, of their paired neutral prompts Z and of the preserved prompts P (the empty prompt,
 * the unconditional row, always among them), the new values x minimise
 * {@code sum |T w'|-Z w|^2 + |P w' - P w|^2 + lambda |x - w_J|^2} over {@code w' = w} outside J, x on J:
 * one least-squares problem of |J| unknowns per row, solved through Gram matrices in float64.
 * lambda is {@link #RIDGE} times the mean diagonal of the row's data term, so it does not depend on
 * the states' scale. Training-free and deterministic; the values are stored in the mask, as they depend
 * on the text encoder and the prompts.
 */
public final class MatchedFill {
    /** The ridge toward the base values, relative to the data term's mean diagonal. */
    public static final double RIDGE = 1e-3;
    private static final int CHUNK = 16;

    /**
     * The prompts the fill matches.
     *
     * @param targets prompts with the concept
     * @param neutrals what each target should read like, paired in order (the concept's phrase left out)
     * @param preserved prompts whose keys and values stay as they are; the empty prompt is added
     */
    public record Prompts(List<String> targets, List<String> neutrals, List<String> preserved) {
        public Prompts {
            targets = List.copyOf(targets);
            neutrals = List.copyOf(neutrals);
            List<String> p = new ArrayList<>(preserved);
            if (!p.contains("")) {
                p.add("");
            }
            preserved = List.copyOf(p);
            if (targets.isEmpty()) {
                throw new InputException("the matched fill needs target prompts");
            }
            if (targets.size() != neutrals.size()) {
                throw new InputException("the matched fill pairs every target prompt with a neutral prompt: "
                        + targets.size() + " targets but " + neutrals.size() + " neutral prompts");
            }
        }
    }

    private MatchedFill() {
    }

    /**
     * The mask {@code meta} describes from a discovery's statistics: {@link MaskBuilder}'s entries, with the
     * matched values when {@code meta} records the matched fill.
     */
    public static PruneMask build(StableDiffusionPipeline pipe, SiteWeights weights, List<SiteLayer> layers,
                                  ColumnNorms base, ColumnNorms target, MaskMetadata meta, String fingerprint,
                                  Prompts prompts, Progress progress) {
        if (meta.fill().kind() != PruneFill.Kind.MATCHED) {
            return MaskBuilder.build(weights, layers, base, target, meta, fingerprint);
        }
        PruneMask zeros = MaskBuilder.build(weights, layers, base, target, meta.withFill(PruneFill.ZERO), fingerprint);
        return solve(pipe, weights, layers, zeros, prompts, progress);
    }

    /**
     * The mask with the matched fill: {@code mask}'s entries and, for each, its solved value.
     *
     * @throws InputException when the mask prunes a weight that does not read the text states
     */
    public static PruneMask solve(StableDiffusionPipeline pipe, SiteWeights weights, List<SiteLayer> layers,
                                  PruneMask mask, Prompts prompts, Progress progress) {
        Map<String, SiteLayer> byKey = new TreeMap<>();
        layers.forEach(l -> byKey.put(l.maskKey(), l));
        int width = pipe.conditioner().width();
        double[] tt = gram(states(pipe, prompts.targets()), null, width);
        double[] tz = gram(states(pipe, prompts.targets()), states(pipe, prompts.neutrals()), width);
        double[] pp = gram(states(pipe, prompts.preserved()), null, width);
        Map<String, float[]> values = new TreeMap<>();
        Progress.Task task = progress.task("matched fill", "weight", mask.indices().size(), 0);
        for (Map.Entry<String, int[]> e : mask.indices().entrySet()) {
            SiteLayer layer = byKey.get(e.getKey());
            if (layer == null || layer.width() != width) {
                throw new InputException("the matched fill solves weights that read the text states (sites attn2-k, "
                        + "attn2-v, attn2-kv); '" + e.getKey() + "' does not");
            }
            values.put(e.getKey(), solveParameter(weights.read(layer), width, e.getValue(), tt, tz, pp));
            task.advance(1);
        }
        task.finish();
        return mask.withMatchedValues(values);
    }

    private static float[] solveParameter(float[] w, int cols, int[] pruned, double[] tt, double[] tz, double[] pp) {
        float[] out = new float[pruned.length];
        int k = 0;
        while (k < pruned.length) {
            int row = pruned[k] / cols;
            int first = k;
            while (k < pruned.length && pruned[k] / cols == row) {
                k++;
            }
            int m = k - first;
            int[] cj = new int[m];
            for (int q = 0; q < m; q++) {
                cj[q] = pruned[first + q] % cols;
            }
            int base = row * cols;
            double[] a = new double[m * m];
            double[] rhs = new double[m];
            double trace = 0;
            for (int q = 0; q < m; q++) {
                int jq = cj[q];
                for (int u = 0; u < m; u++) {
                    a[q * m + u] = tt[jq * cols + cj[u]] + pp[jq * cols + cj[u]];
                }
                trace += a[q * m + q];
                // rhs = (T'Z w - T'T w)_J + (T'T + P'P)_JJ w_J: the targets' residual with w_J moved to the right.
                double r = 0;
                for (int c = 0; c < cols; c++) {
                    r += (tz[jq * cols + c] - tt[jq * cols + c]) * w[base + c];
                }
                for (int u = 0; u < m; u++) {
                    r += a[q * m + u] * w[base + cj[u]];
                }
                rhs[q] = r;
            }
            double lambda = RIDGE * trace / m;
            for (int q = 0; q < m; q++) {
                a[q * m + q] += lambda;
                rhs[q] += lambda * w[base + cj[q]];
            }
            double[] x = choleskySolve(a, rhs, m);
            for (int q = 0; q < m; q++) {
                out[first + q] = (float) x[q];
            }
        }
        return out;
    }

    /** The text states of every token of {@code texts}, [texts x tokens, width] row-major. */
    private static float[] states(StableDiffusionPipeline pipe, List<String> texts) {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (int from = 0; from < texts.size(); from += CHUNK) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + CHUNK));
            try (NDManager m = pipe.runtime().newManager()) {
                float[] s = pipe.conditioner().encode(m, chunk).textStates().toFloatArray();
                parts.add(s);
                total += s.length;
            }
        }
        float[] all = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** {@code A'B} over the rows of A and B ([n, width] each; B = A when null), float64, [width, width]. */
    private static double[] gram(float[] a, float[] b, int width) {
        float[] bb = b == null ? a : b;
        int rows = a.length / width;
        double[] g = new double[width * width];
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            for (int i = 0; i < width; i++) {
                double ai = a[o + i];
                if (ai == 0) {
                    continue;
                }
                int gi = i * width;
                for (int j = 0; j < width; j++) {
                    g[gi + j] += ai * bb[o + j];
                }
            }
        }
        return g;
    }

    /** Solves the symmetric positive definite system {@code a x = b} (a is m x m row-major). */
    private static double[] choleskySolve(double[] a, double[] b, int m) {
        double[] l = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * m + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * m + k] * l[j * m + k];
                }
                l[i * m + j] = i == j ? Math.sqrt(s) : s / l[j * m + j];
            }
        }
        double[] y = new double[m];
        for (int i = 0; i < m; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i * m + k] * y[k];
            }
            y[i] = s / l[i * m + i];
        }
        double[] x = new double[m];
        for (int i = m - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < m; k++) {
                s -= l[k * m + i] * x[k];
            }
            x[i] = s / l[i * m + i];
        }
        return x;
    }
}
