package dev.conceptprune.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.prune.PruneSite;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The attack's steps on a hand-made 3x4 matrix. */
class WeightRecoveryTest {
    /** Rows are output neurons; the zeros at flat 1, 3, 4, 6 and 11 are the pruned entries. */
    private static final float[] PRUNED = {
        0.5f, 0, -0.2f, 0,
        0, 0.3f, 0, -0.9f,
        0.1f, 0.4f, -0.6f, 0};

    @Test
    void locatesTheExactZeros() {
        assertArrayEquals(new int[] {1, 3, 4, 6, 11}, WeightRecovery.zeros(PRUNED));
        assertArrayEquals(new int[] {0, 2}, WeightRecovery.zeros(new float[] {-0f, 1, 0}), "-0 is a zero too");
    }

    @Test
    void dropsTheSmallestShareAndKeepsTheOtherSigns() {
        // Five entries at top ratio 0.6: floor(0.4 * 5) = 2 dropped, the two smallest magnitudes.
        assertArrayEquals(new int[] {1, 0, 1, -1, 0},
                WeightRecovery.retainSigns(new double[] {0.30, -0.05, 0.20, -0.40, 0.10}, 0.6));
        // Three entries: floor(0.4 * 3) = 1 to drop, but the tie at 0.1 drops both.
        assertArrayEquals(new int[] {0, 0, -1}, WeightRecovery.retainSigns(new double[] {0.1, -0.1, -0.3}, 0.6));
        // Top ratio 1 drops none; a recovered exact zero has no sign to keep.
        assertArrayEquals(new int[] {-1, 0, 1}, WeightRecovery.retainSigns(new double[] {-2, 0, 1e-30}, 1));
    }

    @Test
    void scalesKeptEntriesToTheirRowsLargestObservedMagnitude() {
        int[] missing = {1, 3, 4, 6, 11};
        int[] signs = {1, 0, 1, -1, -1};
        // Row maxima: 0.5, 0.9, 0.6.
        assertArrayEquals(new float[] {0.5f, 0, 0.9f, -0.9f, -0.6f}, WeightRecovery.scale(PRUNED, 4, missing, signs));
        assertArrayEquals(new float[] {0, 0}, WeightRecovery.scale(new float[] {0, 0, 1, 2}, 2, new int[] {0, 1},
                new int[] {1, -1}), "a row of zeros has no magnitude to give");
    }

    @Test
    void recoversTheMatrixEntriesToSignedRowMaxima() {
        RecoverySettings s = new RecoverySettings(List.of(PruneSite.FFN2), 0.6, 500, 1e-5, 0.001);
        WeightRecovery.Result r = WeightRecovery.recover(PRUNED, 3, 4, s, (it, change) -> { });
        assertEquals(5, r.missing());
        assertEquals(3, r.indices().length, "floor(0.4 * 5) = 2 of the 5 dropped");
        assertEquals(0.6, r.keptShare(), 1e-15);
        float[] rowMax = {0.5f, 0.9f, 0.6f};
        for (int k = 0; k < r.indices().length; k++) {
            assertTrue(List.of(1, 3, 4, 6, 11).contains(r.indices()[k]), "only pruned entries change");
            assertEquals(rowMax[r.indices()[k] / 4], Math.abs(r.values()[k]), 0);
            assertTrue(k == 0 || r.indices()[k] > r.indices()[k - 1], "ascending");
        }
        assertTrue(r.iterations() >= 1);
    }

    @Test
    void leavesAMatrixWithoutZerosAsItIs() {
        WeightRecovery.Result r = WeightRecovery.recover(new float[] {1, 2, 3, 4}, 2, 2, RecoverySettings.PAPER,
                (it, change) -> { });
        assertEquals(0, r.missing());
        assertEquals(0, r.indices().length);
        assertEquals(0, r.iterations());
    }
}
