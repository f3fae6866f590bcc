package dev.conceptprune.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused kernel computes softmax(scale q k^T + mask) v per head, as the textbook composition
 * of separate products and softmax does (the reference models' tests check it inside the UNet,
 * the VAE and both CLIP towers against diffusers and transformers).
 */
class AttentionTest {
    @ParameterizedTest(name = "B={0} heads={1} Nq={2} Nk={3} d={4} mask={5}")
    @CsvSource({
        "2, 3, 200, 150, 8, false",
        "2, 3, 200, 150, 8, true",
        "2, 8, 300, 77, 5, false",
        "1, 1, 600, 600, 64, false",
        "2, 4, 77, 77, 16, true",
        "1, 2, 1, 9, 4, false"
    })
    void agreesWithTheComposedComputation(int b, int heads, int nq, int nk, int d, boolean masked) {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(nq * 31 + nk);
            NDArray q = m.randomNormal(new Shape(b, nq, heads * d));
            NDArray k = m.randomNormal(new Shape(b, nk, heads * d));
            NDArray v = m.randomNormal(new Shape(b, nk, heads * d));
            NDArray mask = masked ? m.randomNormal(new Shape(nq, nk)).mul(3) : null;
            float scale = (float) (1 / Math.sqrt(d));

            NDArray fused = Attention.compute(q, k, v, heads, scale, mask, DataType.FLOAT32);

            assertEquals(new Shape(b, nq, heads * d), fused.getShape());
            NDArray qh = q.reshape(b, nq, heads, d).transpose(0, 2, 1, 3);
            NDArray kh = k.reshape(b, nk, heads, d).transpose(0, 2, 1, 3);
            NDArray vh = v.reshape(b, nk, heads, d).transpose(0, 2, 1, 3);
            NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2)).mul(scale);
            if (mask != null) {
                scores = scores.add(mask);
            }
            NDArray expected = scores.softmax(-1).matMul(vh).transpose(0, 2, 1, 3).reshape(b, nq, heads * d);
            double diff = Fixtures.maxAbsDiff(expected.toFloatArray(), fused.toFloatArray());
            // measured 1.7e-6 at most (the masked cases; 3e-8 to 6e-7 without one)
            assertTrue(diff < 1e-5, "max abs diff " + diff);
        }
    }
}
