package dev.conceptprune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.OpMeter;
import dev.conceptprune.runtime.Runtime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Winograd's F(2x2, 3x3) computes the convolution libtorch does, to float32 rounding: against a float64
 * direct convolution its error is about the float32 direct convolution's, for even and odd sizes, and whether
 * the tiles are taken all at once, a few samples or a few rows at a time; F(4x4, 3x3)'s is larger, as
 * documented.
 */
class WinogradConvTest {
    @ParameterizedTest(name = "{6} [{0}, {1}, {2}, {3}] -> {4} channels, band {5}")
    @CsvSource({
        "2, 256, 16, 16, 256, 2097152, F2X2, 3e-6, 5",
        "1, 320, 15, 17, 256, 2097152, F2X2, 3e-6, 5",
        "3, 256, 10, 12, 288, 20000, F2X2, 3e-6, 5",
        "2, 256, 13, 9, 256, 8000, F2X2, 3e-6, 5",
        "1, 256, 12, 12, 256, 1, F2X2, 3e-6, 5",
        "2, 256, 16, 16, 256, 2097152, F4X4, 1e-5, 25",
        "1, 320, 15, 17, 256, 2097152, F4X4, 1e-5, 25",
        "3, 256, 10, 12, 288, 20000, F4X4, 1e-5, 25",
        "1, 256, 13, 9, 256, 8000, F4X4, 1e-5, 25"
    })
    void agreesWithTheDirectConvolution(int n, int c, int h, int w, int o, int band, WinogradConv.Tiles tiles,
                                        double tolerance, double overDirect) {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(n * 1000 + h * 10 + w);
            NDArray x = m.randomNormal(new Shape(n, c, h, w));
            NDArray weight = m.randomNormal(0f, (float) Math.sqrt(1.0 / (9 * c)), new Shape(o, c, 3, 3),
                    DataType.FLOAT32);
            NDArray bias = m.randomNormal(new Shape(o));

            NDArray y = WinogradConv.apply(x, weight, bias, tiles, band);

            assertEquals(new Shape(n, o, h, w), y.getShape());
            NDArray exact = direct(x.toType(DataType.FLOAT64, false), weight.toType(DataType.FLOAT64, false),
                    bias.toType(DataType.FLOAT64, false)).toType(DataType.FLOAT32, false);
            double scale = exact.abs().max().getFloat();
            double winograd = y.sub(exact).abs().max().getFloat() / scale;
            double libtorch = direct(x, weight, bias).sub(exact).abs().max().getFloat() / scale;
            // measured F2X2 3.6e-7 to 5.4e-7 of the largest output, F4X4 2.3e-6 to 4.1e-6 (libtorch's float32
            // convolution 1.8e-7 to 2.4e-7)
            assertTrue(winograd < tolerance, "winograd " + winograd + ", direct " + libtorch);
            // F2X2 1.9-2.3x the direct convolution's error; F4X4 13-17x (its usual points 0, 1, -1, 2, -2: 31-35x)
            assertTrue(winograd < overDirect * libtorch, "winograd " + winograd + ", direct " + libtorch);
        }
    }

    /** The memory estimate's share: filters and one band where Winograd computes, nothing elsewhere. */
    @Test
    void temporariesAreCountedWhereItComputes() {
        // 256 channels at 16x16: 16 x 256 x 256 filters; one band (the whole 65536-value sample) grows 4x as
        // tiles, again as transformed tiles, as products, and returns as the result
        assertEquals(16.0 * 256 * 256 + 65536 * (2 * 4 + 5), Conv2d.temporaryValues(256, 256, 16, 16));
        assertEquals(0, Conv2d.temporaryValues(255, 256, 16, 16), "too few output channels");
        assertEquals(0, Conv2d.temporaryValues(256, 255, 16, 16), "too few input channels");
        assertEquals(0, Conv2d.temporaryValues(256, 256, 15, 16), "too few pixels");
        try {
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD4);
            assertEquals(36.0 * 256 * 256 + WinogradConv.BAND_VALUES * (2 * 2.25 + 3.25),
                    Conv2d.temporaryValues(256, 256, 96, 96), "6x6 tiles from 32x32 on, in bands");
            Runtime.setConvAlgorithm(ConvAlgorithm.DIRECT);
            assertEquals(0, Conv2d.temporaryValues(256, 256, 16, 16), "libtorch's");
        } finally {
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
        }
    }

    @Test
    void conv2dTakesItForWideConvolutionsOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 256, 16, 16));
            NDArray w = m.randomNormal(new Shape(256, 256, 3, 3)).div(48);
            NDArray b = m.randomNormal(new Shape(256));
            assertTrue(WinogradConv.applies(x, w, b, 1, 1));
            assertFalse(WinogradConv.applies(x, w, b, 2, 1), "stride 2");
            assertFalse(WinogradConv.applies(x, w, null, 1, 1), "no bias");
            assertFalse(WinogradConv.applies(x.get(":, :128"), w.get(":, :128"), b, 1, 1), "128 channels in");
            assertFalse(WinogradConv.applies(x, w.get(":128"), b.get(":128"), 1, 1), "128 channels out");
            assertFalse(WinogradConv.applies(x.get(":, :, 0:15, 0:15"), w, b, 1, 1), "225 output pixels a sample");
            assertTrue(WinogradConv.applies(x.get("0:1"), w, b, 1, 1), "256 output pixels a sample, batch 1");
            assertFalse(WinogradConv.applies(x, w.get(":, :, 1:2, 1:2"), b, 1, 0), "1x1 kernel");

            Conv2d conv = new Conv2d(w, b, 1, 1);
            NDArray winograd;
            NDArray libtorch;
            try (OpMeter meter = OpMeter.open()) {
                winograd = conv.forward(x);
                assertEquals(1, meter.calls(OpMeter.Kind.WINOGRAD));
                assertEquals(OpMeter.convFlops(2, 256, 256, 3, 3, 16, 16), meter.flops(OpMeter.Kind.WINOGRAD),
                        "counted at the direct convolution's FLOPs");
                Runtime.setConvAlgorithm(ConvAlgorithm.DIRECT);
                try {
                    libtorch = conv.forward(x);
                } finally {
                    Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
                }
                assertEquals(1, meter.calls(OpMeter.Kind.CONV), "direct when so set");
            }
            double diff = winograd.sub(libtorch).abs().max().getFloat() / libtorch.abs().max().getFloat();
            assertTrue(diff < 3e-6, "relative diff " + diff);
            // the modules update their convolutions' outputs in place (residual adds, SiLU)
            winograd.addi(libtorch);
        }
    }

    @Test
    void aSampleComputesTheSameBitsInAnyBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(11);
            NDArray x = m.randomNormal(new Shape(3, 256, 18, 20));
            NDArray w = m.randomNormal(new Shape(256, 256, 3, 3)).div(48);
            NDArray b = m.randomNormal(new Shape(256));
            for (WinogradConv.Tiles tiles : WinogradConv.Tiles.values()) {
                NDArray batch = WinogradConv.apply(x, w, b, tiles, WinogradConv.BAND_VALUES);
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(WinogradConv.apply(x.get(i + ":" + (i + 1)), w, b, tiles,
                            WinogradConv.BAND_VALUES).toFloatArray(), batch.get(i + ":" + (i + 1)).toFloatArray(),
                            tiles + " sample " + i);
                }
            }
        }
    }

    /** With gradients on, the forward is the same bits and its backward is the direct convolution's. */
    @Test
    void autogradRecordsItAndDifferentiatesTheSameForward() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(5);
            NDArray x = m.randomNormal(new Shape(1, 256, 16, 16));
            NDArray w = m.randomNormal(new Shape(256, 256, 3, 3)).div(48);
            NDArray b = m.randomNormal(new Shape(256));
            NDArray r = m.randomNormal(new Shape(1, 256, 16, 16));
            Conv2d conv = new Conv2d(w, b, 1, 1);
            float[] fast = conv.forward(x).toFloatArray();
            float[] winograd = gradient(conv, x, r, fast);
            Runtime.setConvAlgorithm(ConvAlgorithm.DIRECT);
            float[] libtorch;
            try {
                libtorch = gradient(conv, x, r, null);
            } finally {
                Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
            }
            double largest = 0;
            double diff = 0;
            for (int i = 0; i < libtorch.length; i++) {
                largest = Math.max(largest, Math.abs(libtorch[i]));
                diff = Math.max(diff, Math.abs(libtorch[i] - winograd[i]));
            }
            // measured 6.4e-7 of the largest gradient entry
            assertTrue(diff / largest < 3e-6, "relative diff " + diff / largest);
        }
    }

    /** d(sum(conv(x) r)) / dx, asserting the recorded forward equals {@code expected} when given. */
    private static float[] gradient(Conv2d conv, NDArray x, NDArray r, float[] expected) {
        try (NDManager s = x.getManager().newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray in = x.duplicate();
            in.attach(s);
            in.setRequiresGradient(true);
            NDArray y = conv.forward(in);
            if (expected != null) {
                assertArrayEquals(expected, y.toFloatArray(), "the forward with autograd recording");
            }
            collector.backward(y.mul(r).sum());
            return in.getGradient().toFloatArray();
        }
    }

    private static NDArray direct(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal().convolution(x, w, b, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                .singletonOrThrow();
    }
}
