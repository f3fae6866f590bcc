package dev.conceptprune.runtime;

import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The FLOP counter gives the textbook count for ops of known shape, and only while open. */
class OpMeterTest {
    @Test
    void linearCountsTwoFlopsPerMultiplyAdd() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear l = new Linear(m.ones(new Shape(16, 8)), m.zeros(new Shape(16)));
            NDArray x = m.ones(new Shape(2, 5, 8));
            try (OpMeter meter = OpMeter.open()) {
                l.forward(x);
                assertEquals(2L * 2 * 5 * 8 * 16, meter.flops(OpMeter.Kind.LINEAR));
                assertEquals(1, meter.calls(OpMeter.Kind.LINEAR));
            }
        }
    }

    @Test
    void convCountsEveryOutputPixelTimesKernelVolume() {
        try (NDManager m = NDManager.newBaseManager()) {
            Conv2d same = new Conv2d(m.ones(new Shape(4, 3, 3, 3)), m.zeros(new Shape(4)), 1, 1);
            Conv2d strided = new Conv2d(m.ones(new Shape(4, 3, 3, 3)), m.zeros(new Shape(4)), 2, 1);
            NDArray x = m.ones(new Shape(2, 3, 10, 10));
            try (OpMeter meter = OpMeter.open()) {
                same.forward(x);
                assertEquals(2L * 2 * 4 * 10 * 10 * 3 * 3 * 3, meter.flops(OpMeter.Kind.CONV));
                strided.forward(x);
                assertEquals(2L * 2 * 4 * (100 + 25) * 3 * 3 * 3, meter.flops(OpMeter.Kind.CONV));
            }
        }
    }

    @Test
    void attentionCountsBothProducts() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.ones(new Shape(2, 7, 12));
            NDArray kv = m.ones(new Shape(2, 5, 12));
            try (OpMeter meter = OpMeter.open()) {
                Ops.attention(q, kv, kv, 3, 0.5f);
                long qk = 2L * 2 * 3 * 7 * 5 * 4;
                assertEquals(2 * qk, meter.flops(OpMeter.Kind.ATTENTION));
                assertEquals(1, meter.calls(OpMeter.Kind.ATTENTION));
            }
        }
    }

    @Test
    void nothingIsCountedOnceClosedAndMetersDoNotNest() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear l = new Linear(m.ones(new Shape(4, 4)), null);
            OpMeter meter = OpMeter.open();
            assertThrows(IllegalStateException.class, OpMeter::open);
            meter.close();
            l.forward(m.ones(new Shape(1, 4)));
            assertEquals(0, meter.flops(OpMeter.Kind.LINEAR));
        }
    }
}
