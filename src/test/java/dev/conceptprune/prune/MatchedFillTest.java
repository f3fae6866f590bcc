package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Progress;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The matched fill on tiny-sd: its values minimise the least-squares objective it states (every entry's
 * small move raises it), they bring the targets' keys and values nearer their neutral prompts' than zeros do,
 * and the preserved prompts' keys and values change less than under zeros.
 */
class MatchedFillTest {
    private static final List<PromptPair> PAIRS = List.of(new PromptPair("a house", "a house by Van Gogh", 0),
            new PromptPair("a tree at night", "a tree at night by Van Gogh", 0),
            new PromptPair("a cat", "a cat by Van Gogh", 0));
    private static final MatchedFill.Prompts PROMPTS = new MatchedFill.Prompts(
            PAIRS.stream().map(PromptPair::target).toList(), PAIRS.stream().map(PromptPair::base).toList(),
            List.of("a house by Monet", "a tree by Monet", "a cat"));
    private static StableDiffusionPipeline pipe;
    private static DiffusersFolder base;
    private static PruneMask zeros;
    private static PruneMask matched;
    private static List<SiteLayer> layers;

    @BeforeAll
    static void solve() {
        base = DiffusersFolder.open(Fixtures.TINY_SD);
        pipe = StableDiffusionPipeline.load(base);
        GenerationSettings s = new GenerationSettings("", "", 3, 7.5, null, 0, 64, 64, 1, null);
        ConceptDiscovery.Result r = new ConceptDiscovery(pipe, s, PruneSite.ATTN2_KV, 1, 4, null).run(PAIRS);
        layers = PruneSite.ATTN2_KV.layers(pipe);
        Concept c = new Concept("Van Gogh", "style", PAIRS, 0.3);
        try (SiteWeights w = new SiteWeights(base); TensorSource unet = base.tensors(Component.UNET)) {
            String fingerprint = BaseFingerprint.of(unet);
            zeros = MatchedFill.build(pipe, w, layers, r.base(), r.target(),
                    MaskMetadata.of(c, PruneSite.ATTN2_KV, 0.3, 1, 0, s, PruneFill.ZERO), fingerprint, PROMPTS, Progress.silent());
            matched = MatchedFill.build(pipe, w, layers, r.base(), r.target(),
                    MaskMetadata.of(c, PruneSite.ATTN2_KV, 0.3, 1, 0, s, PruneFill.MATCHED), fingerprint, PROMPTS, Progress.silent());
        }
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    @Test
    void theMatchedMaskHasTheZeroMasksEntriesAndAValueForEach() {
        assertEquals(PruneFill.MATCHED, matched.fill());
        assertEquals(zeros.indices().keySet(), matched.indices().keySet());
        assertEquals(2 * pipe.unet().feedForwardLayers().size(), matched.indices().size(), "keys and values of every block");
        for (Map.Entry<String, int[]> e : zeros.indices().entrySet()) {
            assertEquals(List.of(box(e.getValue())), List.of(box(matched.indices().get(e.getKey()))));
            assertEquals(e.getValue().length, matched.values().get(e.getKey()).length);
        }
    }

    @Test
    void theValuesMinimiseTheObjectiveAndBeatZerosOnBothTerms() {
        int width = pipe.conditioner().width();
        float[] t = states(PROMPTS.targets());
        float[] z = states(PROMPTS.neutrals());
        float[] p = states(PROMPTS.preserved());
        try (SiteWeights w = new SiteWeights(base)) {
            for (SiteLayer layer : layers) {
                String key = layer.maskKey();
                float[] original = w.read(layer);
                int[] idx = matched.indices().get(key);
                float[] solved = edited(original, idx, matched.values().get(key));
                float[] zeroed = edited(original, idx, new float[idx.length]);
                double best = objective(solved, original, idx, t, z, p, width);
                for (int q = 0; q < idx.length; q += Math.max(1, idx.length / 7)) {
                    for (double step : new double[] {-1e-3, 1e-3}) {
                        float[] moved = solved.clone();
                        moved[idx[q]] += (float) step;
                        double f = objective(moved, original, idx, t, z, p, width);
                        assertTrue(f >= best * (1 - 1e-9), key + " entry " + idx[q] + ": " + f + " < " + best);
                    }
                }
                double[] m = terms(solved, original, t, z, p, width);
                double[] zero = terms(zeroed, original, t, z, p, width);
                assertTrue(m[0] < zero[0], key + ": targets nearer their neutral prompts (" + m[0] + " vs " + zero[0] + ")");
                assertTrue(m[1] < zero[1], key + ": preserved prompts change less (" + m[1] + " vs " + zero[1] + ")");
            }
        }
    }

    private static Integer[] box(int[] a) {
        Integer[] b = new Integer[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    private static float[] edited(float[] w, int[] idx, float[] values) {
        float[] out = w.clone();
        for (int i = 0; i < idx.length; i++) {
            out[idx[i]] = values[i];
        }
        return out;
    }

    private static float[] states(List<String> texts) {
        try (NDManager m = NDManager.newBaseManager()) {
            return pipe.encodePrompts(m, texts.toArray(String[]::new)).textStates().toFloatArray();
        }
    }

    /** Target misfit |T w' - Z w|^2 and preservation misfit |P w' - P w|^2 summed over all rows. */
    private static double[] terms(float[] edited, float[] original, float[] t, float[] z, float[] p, int width) {
        int rows = original.length / width;
        double target = 0;
        double keep = 0;
        for (int r = 0; r < rows; r++) {
            for (int n = 0; n < t.length / width; n++) {
                double d = dot(edited, r, t, n, width) - dot(original, r, z, n, width);
                target += d * d;
            }
            for (int n = 0; n < p.length / width; n++) {
                double d = dot(edited, r, p, n, width) - dot(original, r, p, n, width);
                keep += d * d;
            }
        }
        return new double[] {target, keep};
    }

    /** The fill's objective: both misfits plus, per row, RIDGE x the mean diagonal of its data term x |x - w_J|^2. */
    private static double objective(float[] edited, float[] original, int[] idx, float[] t, float[] z, float[] p,
                                    int width) {
        double[] f = terms(edited, original, t, z, p, width);
        double ridge = 0;
        int k = 0;
        while (k < idx.length) {
            int row = idx[k] / width;
            int first = k;
            double diagonal = 0;
            double moved = 0;
            for (; k < idx.length && idx[k] / width == row; k++) {
                int j = idx[k] % width;
                for (float[] x : new float[][] {t, p}) {
                    for (int n = 0; n < x.length / width; n++) {
                        diagonal += (double) x[n * width + j] * x[n * width + j];
                    }
                }
                double d = edited[idx[k]] - original[idx[k]];
                moved += d * d;
            }
            ridge += MatchedFill.RIDGE * diagonal / (k - first) * moved;
        }
        return f[0] + f[1] + ridge;
    }

    private static double dot(float[] w, int row, float[] x, int n, int width) {
        double s = 0;
        for (int c = 0; c < width; c++) {
            s += (double) w[row * width + c] * x[n * width + c];
        }
        return s;
    }
}
