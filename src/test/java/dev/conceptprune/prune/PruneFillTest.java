package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The values pruned weights get: zeros, or seeded noise with the kept weights' statistics. */
class PruneFillTest {
    private static final String KEY = "mid_block.attentions.0.transformer_blocks.0.ff.net.2.weight";
    private static final int SIZE = 200_000;
    /** Every tenth entry pruned: 20,000 draws. */
    private static final int[] PRUNED = IntStream.range(0, SIZE / 10).map(i -> 10 * i + 3).toArray();

    /**
     * Kept weights from N(0.3, 2^2); the pruned ones 1000, far off, so statistics that counted them
     * would be off by about 100 in the mean.
     */
    private static float[] weights() {
        Random r = new Random(42);
        float[] w = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            w[i] = (float) (0.3 + 2 * r.nextGaussian());
        }
        for (int i : PRUNED) {
            w[i] = 1000f;
        }
        return w;
    }

    @Test
    void gaussianDrawsHaveTheMeanAndStdOfTheKeptEntries() {
        float[] w = weights();
        double sum = 0;
        double squares = 0;
        int kept = 0;
        for (int i = 0; i < SIZE; i++) {
            if (i % 10 != 3) {
                sum += w[i];
                kept++;
            }
        }
        double mean = sum / kept;
        for (int i = 0; i < SIZE; i++) {
            if (i % 10 != 3) {
                squares += (w[i] - mean) * (w[i] - mean);
            }
        }
        double std = Math.sqrt(squares / kept);
        float[] v = PruneFill.gaussian(7).values(KEY, w, PRUNED);
        double vm = Arrays.stream(toDoubles(v)).average().orElseThrow();
        double vs = Math.sqrt(Arrays.stream(toDoubles(v)).map(x -> (x - vm) * (x - vm)).sum() / v.length);
        // 20,000 draws: the expected sampling error of the mean is std/sqrt(n) = 0.014, of the std
        // std/sqrt(2n) = 0.010. Measured with seed 7: mean off by 0.0006 (0.30155 vs 0.30093), std by 0.022
        // (1.97530 vs 1.99707). Statistics that counted the pruned entries would be off by about 100.
        assertEquals(mean, vm, 0.005, "mean of the draws vs the kept entries' " + mean);
        assertEquals(std, vs, 0.05, "std of the draws vs the kept entries' " + std);
    }

    @Test
    void theDrawIsTheDocumentedStreamScaledByThePopulationStd() throws Exception {
        // kept {1, 3}: mean 2, population std 1 (the sample std would be 1.41)
        float[] v = PruneFill.gaussian(7).values(KEY, new float[] {1, 100, 3}, new int[] {1});
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(ByteBuffer.allocate(8).putLong(7).array());
        d.update(KEY.getBytes(StandardCharsets.UTF_8));
        Random stream = new Random(ByteBuffer.wrap(d.digest()).getLong());
        assertArrayEquals(new float[] {(float) (2 + stream.nextGaussian())}, v);
    }

    @Test
    void gaussianDrawsDependOnSeedAndKeyOnly() {
        float[] w = weights();
        float[] a = PruneFill.gaussian(7).values(KEY, w, PRUNED);
        assertArrayEquals(a, PruneFill.gaussian(7).values(KEY, w.clone(), PRUNED), "the same seed, the same values");
        assertFalse(Arrays.equals(a, PruneFill.gaussian(8).values(KEY, w, PRUNED)), "another seed");
        assertFalse(Arrays.equals(a, PruneFill.gaussian(7).values("text_encoder/" + KEY, w, PRUNED)), "another key");
    }

    @Test
    void zeroFillDrawsNothingAndIgnoresTheSeed() {
        assertArrayEquals(new float[PRUNED.length], PruneFill.ZERO.values(KEY, weights(), PRUNED));
        assertEquals(PruneFill.ZERO, PruneFill.of("zero", 7));
        assertEquals(PruneFill.gaussian(7), PruneFill.of("Gaussian", 7));
    }

    @Test
    void aGaussianFillNeedsKeptEntries() {
        InputException e = assertThrows(InputException.class,
                () -> PruneFill.gaussian(0).values(KEY, new float[3], new int[] {0, 1, 2}));
        assertTrue(e.getMessage().contains("prunes all 3"), e.getMessage());
    }

    @Test
    void fillsRoundTripThroughMetadataAndOldMasksAreZero() {
        assertEquals(Map.of("fill", "gaussian", "fill_seed", "7"), PruneFill.gaussian(7).toMetadata());
        assertEquals(PruneFill.gaussian(-3), PruneFill.fromMetadata(PruneFill.gaussian(-3).toMetadata()));
        assertEquals(PruneFill.ZERO, PruneFill.fromMetadata(Map.of("concepts", "x")));
        assertThrows(IllegalArgumentException.class, () -> PruneFill.fromMetadata(Map.of("fill", "bogus")));
        assertThrows(IllegalArgumentException.class,
                () -> PruneFill.fromMetadata(Map.of("fill", "gaussian", "fill_seed", "x")));
        InputException e = assertThrows(InputException.class, () -> PruneFill.of("bogus", 0));
        assertEquals("fill must be zero, gaussian or matched; got 'bogus'", e.getMessage());
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
