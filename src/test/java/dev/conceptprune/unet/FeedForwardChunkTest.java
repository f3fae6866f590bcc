package dev.conceptprune.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.nn.Params;
import org.junit.jupiter.api.Test;

/** The unobserved feed-forward runs in row chunks and computes what the observed, whole one does. */
class FeedForwardChunkTest {
    @Test
    void chunksAgreeWithTheWholeProjection() {
        try (NDManager m = NDManager.newBaseManager()) {
            FeedForward ff = new FeedForward(Params.random(m, 3).sub("ff"), 0, 64, 256);
            // 10,000 rows of 2 x 256 floats: more than one 16 MiB chunk.
            NDArray x = m.randomNormal(new Shape(2, 5000, 64));
            int[] observed = {0};
            float[] whole = ff.forward(x, (layer, geglu) -> observed[0]++).toFloatArray();
            NDArray chunked = ff.forward(x, null);
            assertEquals(1, observed[0]);
            assertEquals(new Shape(2, 5000, 64), chunked.getShape());
            double diff = Fixtures.maxAbsDiff(whole, chunked.toFloatArray());
            // measured 8.7e-8 of the largest value: float rounding of the chunked matmul
            assertTrue(diff <= 1e-6 * Fixtures.maxAbs(whole), "max abs diff " + diff);
        }
    }
}
