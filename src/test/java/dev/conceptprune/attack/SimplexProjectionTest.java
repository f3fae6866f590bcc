package dev.conceptprune.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SimplexProjectionTest {
    @Test
    void projectsOntoTheSimplex() {
        float[] v = {0.5f, 1.5f, -0.2f, 0.3f};
        SimplexProjection.project(v, 0, 4);
        // shift 0.5 (by hand: 1.5 - t + 0.5 - t = 1 -> t = 0.5; 0.3 - 0.5 < 0)
        assertArrayEquals(new float[] {0f, 1f, 0f, 0f}, v, 1e-7f);
        float[] inside = {0.2f, 0.3f, 0.5f};
        SimplexProjection.project(inside, 0, 3);
        assertArrayEquals(new float[] {0.2f, 0.3f, 0.5f}, inside, 1e-7f);
        float[] flat = {7f, 7f, 7f, 7f};
        SimplexProjection.project(flat, 0, 4);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, flat, 1e-7f);
    }

    @Test
    void isTheNearestPointOfTheSimplex() {
        Random r = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            float[] v = new float[12];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            float[] p = v.clone();
            SimplexProjection.project(p, 0, p.length);
            double sum = 0;
            for (float x : p) {
                assertTrue(x >= 0);
                sum += x;
            }
            assertEquals(1.0, sum, 1e-5);
            double best = distance(v, p);
            // no point of the simplex near p is nearer to v
            for (int k = 0; k < 200; k++) {
                int a = r.nextInt(p.length);
                int b = r.nextInt(p.length);
                float step = Math.min(p[a], 0.01f * r.nextFloat());
                float[] q = p.clone();
                q[a] -= step;
                q[b] += step;
                assertTrue(distance(v, q) >= best - 1e-6);
            }
        }
    }

    private static double distance(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return d;
    }
}
