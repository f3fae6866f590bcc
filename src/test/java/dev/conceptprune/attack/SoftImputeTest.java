package dev.conceptprune.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SoftImpute on matrices whose missing entries are known. */
class SoftImputeTest {
    private static final int ROWS = 40;
    private static final int COLS = 60;

    /**
     * The generator both this test and the NumPy reproduction use (a 64-bit LCG, top 53 bits), so that
     * the matrix and its missing entries are the same on both sides.
     */
    private static final class Lcg {
        private long state = 20260302L;

        double next() {
            state = state * 6364136223846793005L + 1442695040888963407L;
            return (state >>> 11) * 0x1.0p-53;
        }
    }

    @Test
    void completesARankTwoMatrixAsTheirCodeDoes() {
        // A rank-2 40x60 matrix, about a fifth of its entries missing. Their SoftImpute shrinks by the
        // smallest singular value only, so the completion is slow: NumPy running their loop (float64,
        // numpy.linalg.svd) stops at the 500-iteration cap with a relative error of 0.435473375404551 on the
        // missing entries and 487 of their 499 signs right (a start from column means gets about half).
        Lcg g = new Lcg();
        double[][] a = new double[2][ROWS];
        double[][] b = new double[2][COLS];
        for (double[] f : a) {
            Arrays.setAll(f, i -> g.next() * 2 - 1);
        }
        for (double[] f : b) {
            Arrays.setAll(f, j -> g.next() * 2 - 1);
        }
        double[] truth = new double[ROWS * COLS];
        boolean[] observed = new boolean[truth.length];
        double[] given = new double[truth.length];
        int missing = 0;
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLS; j++) {
                truth[i * COLS + j] = a[0][i] * b[0][j] + a[1][i] * b[1][j];
            }
        }
        for (int i = 0; i < truth.length; i++) {
            observed[i] = g.next() >= 0.2;
            given[i] = observed[i] ? truth[i] : 0;
            missing += observed[i] ? 0 : 1;
        }
        List<Double> changes = new ArrayList<>();
        SoftImpute.Result res = SoftImpute.complete(given, observed, ROWS, COLS, 500, 1e-5,
                (it, change) -> changes.add(change));
        double err = 0;
        double norm = 0;
        int signs = 0;
        for (int i = 0; i < truth.length; i++) {
            if (observed[i]) {
                assertEquals(truth[i], res.values()[i], 0, "observed entries are kept");
            } else {
                err += (res.values()[i] - truth[i]) * (res.values()[i] - truth[i]);
                norm += truth[i] * truth[i];
                signs += Math.signum(res.values()[i]) == Math.signum(truth[i]) ? 1 : 0;
            }
        }
        double relative = Math.sqrt(err / norm);
        System.out.printf("SoftImpute rank-2 %dx%d, %d missing: relative error %.17g (NumPy 0.435473375404551), "
                + "%d signs right, %d iterations, last change %.3g%n", ROWS, COLS, missing, relative, signs,
                res.iterations(), changes.get(changes.size() - 1));
        assertEquals(499, missing);
        assertEquals(500, res.iterations());
        assertFalse(res.converged(), "their loop has not converged by the cap");
        assertEquals(500, changes.size(), "one report per iteration");
        assertEquals(Double.POSITIVE_INFINITY, changes.get(0), "nothing to compare with at the first iteration");
        assertEquals(0.435473375404551, relative, 2e-14, "as NumPy; measured 2e-15 apart");
        assertEquals(487, signs);
    }

    @Test
    void stopsWhenTheChangeFallsBelowTheTolerance() {
        double[] m = new double[ROWS * COLS];
        boolean[] observed = new boolean[m.length];
        Lcg g = new Lcg();
        for (int i = 0; i < m.length; i++) {
            m[i] = g.next();
            observed[i] = i % 7 != 0;
        }
        List<Double> changes = new ArrayList<>();
        SoftImpute.Result capped = SoftImpute.complete(m, observed, ROWS, COLS, 3, 1e-5, (it, c) -> changes.add(c));
        assertEquals(3, capped.iterations());
        assertFalse(capped.converged());
        SoftImpute.Result loose = SoftImpute.complete(m, observed, ROWS, COLS, 500, changes.get(2) * 1.001,
                (it, c) -> { });
        assertTrue(loose.converged());
        assertEquals(3, loose.iterations(), "the third change is the first below a tolerance just above it");
        assertArrayEquals(capped.values(), loose.values(), 0);
    }

    @Test
    void startsFromColumnMeansOfObservedEntries() {
        // One iteration on a 2x2 with one missing entry: the column mean start is [[1, 4], [3, 4]], whose
        // smallest singular value is subtracted from both: the rank-1 remainder gives the entry.
        double[] m = {1, 4, 3, 0};
        boolean[] observed = {true, true, true, false};
        SoftImpute.Result res = SoftImpute.complete(m, observed, 2, 2, 1, 1e-5, (it, change) -> { });
        double[] start = {1, 4, 3, 4};
        double[] expected = rankOneShrunk(start);
        assertArrayEquals(new double[] {1, 4, 3, expected[3]}, res.values(), 1e-12);
    }

    /** U diag(s - s_min) V^T of a 2x2 matrix, from the eigen decomposition of M^T M. */
    private static double[] rankOneShrunk(double[] a) {
        double p = a[0] * a[0] + a[2] * a[2];
        double q = a[0] * a[1] + a[2] * a[3];
        double s = a[1] * a[1] + a[3] * a[3];
        double mean = (p + s) / 2;
        double radius = Math.sqrt((p - s) * (p - s) / 4 + q * q);
        double s1 = Math.sqrt(mean + radius);
        double s2 = Math.sqrt(mean - radius);
        double vx = q;
        double vy = mean + radius - p;
        double len = Math.hypot(vx, vy);
        vx /= len;
        vy /= len;
        double ux = (a[0] * vx + a[1] * vy) / s1;
        double uy = (a[2] * vx + a[3] * vy) / s1;
        double d = s1 - s2;
        return new double[] {d * ux * vx, d * ux * vy, d * uy * vx, d * uy * vy};
    }

    @Test
    void refusesAShapeThatDoesNotFit() {
        assertThrows(IllegalArgumentException.class,
                () -> SoftImpute.complete(new double[5], new boolean[5], 2, 3, 10, 1e-5, (it, change) -> { }));
    }
}
