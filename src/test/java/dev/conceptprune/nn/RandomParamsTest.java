package dev.conceptprune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Random parameters have the requested shape and depend only on the seed and the name. */
class RandomParamsTest {
    @Test
    void shapeAsRequestedAndStatisticsOfTheStatedNormal() {
        try (NDManager m = NDManager.newBaseManager()) {
            Params p = Params.random(m, 7);
            float[] v = p.sub("block").get("weight", 300, 400).toFloatArray();
            assertEquals(new Shape(300, 400), p.sub("block").get("weight", 300, 400).getShape());
            double mean = 0;
            double sq = 0;
            for (float x : v) {
                mean += x;
                sq += (double) x * x;
            }
            mean /= v.length;
            double std = Math.sqrt(sq / v.length - mean * mean);
            // measured -6.8e-5 and -1.2e-5 (standard errors of 120,000 draws: 5.8e-5 and 4.1e-5)
            assertEquals(0, mean, 7e-4);
            assertEquals(Params.RANDOM_STD, std, 2e-4);
            assertTrue(p.has("anything.at.all"));
            assertTrue(p.unused().isEmpty());
        }
    }

    @Test
    void sameSeedAndNameGiveTheSameValuesInAnyOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            Params a = Params.random(m, 1);
            Params b = Params.random(m, 1);
            float[] first = a.get("x.weight", 3_000_000).toFloatArray();
            b.get("y.weight", 10);
            assertArrayEquals(first, b.get("x.weight", 3_000_000).toFloatArray());
            assertArrayEquals(first, b.sub("x").get("weight", 3_000_000).toFloatArray());
        }
    }

    @Test
    void otherSeedOrOtherNameGivesOtherValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] base = Params.random(m, 1).get("x.weight", 64).toFloatArray();
            assertFalse(Arrays.equals(base, Params.random(m, 2).get("x.weight", 64).toFloatArray()));
            assertFalse(Arrays.equals(base, Params.random(m, 1).get("x.bias", 64).toFloatArray()));
        }
    }
}
