package dev.conceptprune.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import org.junit.jupiter.api.Test;

class KernelInceptionDistanceTest {
    private final double[][] a = FidFixture.rows("a");
    private final double[][] b = FidFixture.rows("b");

    @Test
    void equalsTheReference() {
        double kid = KernelInceptionDistance.between(a, b);
        double relative = Math.abs(kid - FidFixture.KID) / FidFixture.KID;
        // Measured 1.1e-14 relative (0.3741406284544331).
        assertTrue(relative < 1e-13, "KID " + kid + " vs " + FidFixture.KID + ", relative " + relative);
    }

    @Test
    void symmetric() {
        // Measured 1.9e-14 apart (summation order differs).
        assertEquals(KernelInceptionDistance.between(a, b), KernelInceptionDistance.between(b, a), 2e-13);
    }

    @Test
    void twoIdenticalPairsHaveAKnownValue() {
        // x = (1,1), y = (-1,-1), d = 2: k(x,x) = 8, k(x,y) = 0; within sums 8 each pair, across 0.
        double[][] same = {{1, 1}, {1, 1}};
        double[][] other = {{-1, -1}, {-1, -1}};
        assertEquals(16, KernelInceptionDistance.between(same, other), 0.0);
        assertThrows(InputException.class, () -> KernelInceptionDistance.between(new double[][] {{1}}, same));
    }
}
