package dev.conceptprune.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {
    /**
     * scipy 1.17.1 / numpy 2.4.6 on the fixture's first 40 rows of a and first 30 of b (fewer
     * samples than the 64 dimensions): {@code |m1-m2|^2 + tr S1 + tr S2 - 2 tr(sqrtm(S1 @ S2)).real}
     * = 55.708552488701855, and 40 rows of a against themselves -8.72e-7 (sqrtm's imaginary parts
     * 1.8e-7 and 1.6e-7: the rank-deficient product has no exact square root).
     */
    private static final double SCIPY_RANK_DEFICIENT = 55.708552488701855;

    private final double[][] a = FidFixture.rows("a");
    private final double[][] b = FidFixture.rows("b");

    @Test
    void fixtureShapes() {
        assertEquals(200, a.length);
        assertEquals(64, a[0].length);
        assertEquals(180, b.length);
        assertEquals(64, b[0].length);
    }

    @Test
    void equalsTheReference() {
        double fd = FrechetDistance.between(a, b);
        double relative = Math.abs(fd - FidFixture.FRECHET_DISTANCE) / FidFixture.FRECHET_DISTANCE;
        // Measured 2.7e-12 relative (17.454042870915316); numpy 2.4.6 + scipy 1.17.1 give 17.454042870958176.
        assertTrue(relative < 3e-11, "FD " + fd + " vs " + FidFixture.FRECHET_DISTANCE + ", relative " + relative);
        assertEquals(fd, FrechetDistance.between(FeatureStatistics.of(a), FeatureStatistics.of(b)),
                "from precomputed statistics");
    }

    @Test
    void symmetricAndZeroOnItself() {
        // Measured: |FD(a,b) - FD(b,a)| 4.1e-11, FD(a,a) -1.6e-11, FD(b,b) 3.2e-11.
        assertEquals(FrechetDistance.between(a, b), FrechetDistance.between(b, a), 4e-10);
        assertEquals(0, FrechetDistance.between(a, a), 3e-10);
        assertEquals(0, FrechetDistance.between(b, b), 3e-10);
    }

    @Test
    void rankDeficientSetsDifferFromScipyOnlyByItsNoiseTerms() {
        double[][] a40 = FidFixture.head(a, 40);
        double[][] b30 = FidFixture.head(b, 30);
        // Measured 55.70855410514915: 1.6e-6 above scipy, which adds square roots of its noise eigenvalues.
        assertEquals(SCIPY_RANK_DEFICIENT, FrechetDistance.between(a40, b30), 1e-5);
        // Measured 2.6e-13, where scipy gives -8.7e-7.
        assertEquals(0, FrechetDistance.between(a40, a40), 3e-12);
    }

    @Test
    void badShapesAreInputErrors() {
        InputException one = assertThrows(InputException.class, () -> FrechetDistance.between(new double[][] {{1, 2}}, b));
        assertTrue(one.getMessage().contains("first feature set has 1 rows; at least 2"), one.getMessage());
        InputException width = assertThrows(InputException.class,
                () -> FrechetDistance.between(new double[][] {{1, 2}, {3, 4}}, b));
        assertTrue(width.getMessage().contains("differ in dimension (2 and 64)"), width.getMessage());
        assertThrows(InputException.class, () -> FrechetDistance.between(new double[][] {{1, 2}, {3}}, b));
        assertThrows(InputException.class, () -> FrechetDistance.between(new double[][] {{1, 2}, {3, Double.NaN}},
                new double[][] {{1, 2}, {3, 4}}));
    }
}
