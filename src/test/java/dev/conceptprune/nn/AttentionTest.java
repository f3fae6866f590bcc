package dev.conceptprune.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import org.junit.jupiter.api.Test;

/** The tiled path computes what the batched one does, FLOP count included. */
class AttentionTest {
    @Test
    void tilesAgreeWithTheBatchedProduct() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(2, 200, 24));
            NDArray k = m.randomNormal(new Shape(2, 150, 24));
            NDArray v = m.randomNormal(new Shape(2, 150, 24));
            NDArray mask = m.randomNormal(new Shape(200, 150));
            float[] whole;
            long wholeFlops;
            try (OpMeter meter = OpMeter.open()) {
                whole = Attention.compute(q, k, v, 3, 0.3f, mask, Long.MAX_VALUE, 0).toFloatArray();
                wholeFlops = meter.flops(OpMeter.Kind.ATTENTION_MATMUL);
            }
            try (OpMeter meter = OpMeter.open()) {
                NDArray tiled = Attention.compute(q, k, v, 3, 0.3f, mask, 0, 0);
                assertEquals(new Shape(2, 200, 24), tiled.getShape());
                assertEquals(wholeFlops, meter.flops(OpMeter.Kind.ATTENTION_MATMUL));
                assertEquals(2 * 3 * 4, meter.calls(OpMeter.Kind.SOFTMAX), "4 tiles of at most 64 rows per head");
                double diff = Fixtures.maxAbsDiff(whole, tiled.toFloatArray());
                assertTrue(diff < 1e-5, "max abs diff " + diff);
            }
        }
    }
}
