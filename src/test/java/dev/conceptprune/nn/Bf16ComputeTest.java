package dev.conceptprune.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.runtime.CpuFlags;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.unet.UNet2DConditionModel;
import dev.conceptprune.unet.UNetConditioning;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * bf16 compute against the float32 reference: the products' relative error is bf16's (8 mantissa bits,
 * about 4e-3 per product), a UNet's output stays within a few percent, and the runtime refuses bf16
 * where it cannot be had.
 */
class Bf16ComputeTest {
    /** Measured 2.9e-3 for both products. */
    private static final double ERR = 0.01;
    /** Measured 4.0e-3 (toy model) and 1.2e-2 (tiny-sd) after a whole UNet call. */
    private static final double UNET_ERR = 0.03;
    private static final Runtime BF16_OR_NULL = CpuFlags.hasBf16() ? Runtime.cpu().withDtype(DataType.BFLOAT16) : null;

    @Test
    void linearAndConvolutionMatchFloat32WithinBf16Precision() {
        assumeTrue(CpuFlags.hasBf16(), "the CPU has neither avx512_bf16 nor amx_bf16");
        try (NDManager m = NDManager.newBaseManager()) {
            Params f32 = Params.random(m, 3);
            Params b16 = Params.random(BF16_OR_NULL, m, 3);
            m.getEngine().setRandomSeed(5);
            NDArray x = m.randomNormal(new Shape(2, 64, 320));
            double linear = relativeError(Linear.load(b16, "l", 320, 1280, true).forward(x),
                    Linear.load(f32, "l", 320, 1280, true).forward(x));
            NDArray img = m.randomNormal(new Shape(2, 32, 16, 16));
            double conv = relativeError(Conv2d.load(b16, "c", 32, 64, 3, 1, 1).forward(img),
                    Conv2d.load(f32, "c", 32, 64, 3, 1, 1).forward(img));
            System.out.printf("bf16 relative error: linear %.3g, conv %.3g%n", linear, conv);
            assertTrue(linear > 0 && linear < ERR, "linear " + linear);
            assertTrue(conv > 0 && conv < ERR, "conv " + conv);
        }
    }

    @Test
    void unetOutputMatchesFloat32() {
        assumeTrue(CpuFlags.hasBf16(), "the CPU has neither avx512_bf16 nor amx_bf16");
        for (Path model : new Path[] {Fixtures.TOYWORLD, Fixtures.TINY_SD}) {
            try (NDManager m = NDManager.newBaseManager()) {
                UNet2DConditionModel f32 = UNet2DConditionModel.load(DiffusersFolder.open(model), m);
                UNet2DConditionModel b16 = UNet2DConditionModel.load(DiffusersFolder.open(model), BF16_OR_NULL, m);
                int width = f32.config().crossAttentionWidths().iterator().next();
                m.getEngine().setRandomSeed(11);
                NDArray sample = m.randomNormal(new Shape(2, f32.config().inChannels(), 16, 16));
                UNetConditioning text = UNetConditioning.text(m.randomNormal(new Shape(2, 77, width)));
                NDArray reference = f32.forward(sample, 500, text);
                NDArray bf16 = b16.forward(sample, 500, text);
                assertEquals(DataType.FLOAT32, bf16.getDataType());
                // DJL 0.36 names libtorch's bf16 UNKNOWN; what matters is that no float32 copy is computed with.
                assertEquals(DataType.UNKNOWN, b16.feedForwardOutWeight(0).getDataType());
                double err = relativeError(bf16, reference);
                System.out.printf("bf16 UNet relative error on %s: %.3g%n", model.getFileName(), err);
                assertTrue(err > 0 && err < UNET_ERR, model + ": " + err);
            }
        }
    }

    @Test
    void bf16IsRefusedWithGradients() {
        assumeTrue(CpuFlags.hasBf16(), "the CPU has neither avx512_bf16 nor amx_bf16");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BF16_OR_NULL.withGradients(true));
        assertTrue(e.getMessage().contains("gradient runtime stays float32"), e.getMessage());
    }

    @Test
    void bf16IsRefusedWithoutHardwareSupport() {
        assumeTrue(!CpuFlags.hasBf16(), "the CPU has bf16 hardware");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runtime.cpu().withDtype(DataType.BFLOAT16));
        assertTrue(e.getMessage().contains("avx512_bf16"), e.getMessage());
    }

    /** ||a - b|| / ||b||. */
    private static double relativeError(NDArray a, NDArray b) {
        try (NDArray d = a.sub(b); NDArray dn = d.norm(); NDArray bn = b.norm()) {
            return dn.getFloat() / bn.getFloat();
        }
    }

}
