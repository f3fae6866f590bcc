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
 * 16-bit compute against the float32 reference: the products' relative error is the type's (bf16: 8
 * mantissa bits, about 4e-3 per product; fp16: 11 bits), a UNet's output stays within a few percent,
 * and the runtime refuses a 16-bit type where it cannot be had. fp16 is for CUDA devices; libtorch's CPU
 * kernels run it too, slowly, which is enough to check the route here.
 */
class HalfComputeTest {
    /** bf16: measured 2.9e-3 for both products. */
    private static final double BF16_ERR = 0.01;
    /** bf16: measured 4.0e-3 (toy model) and 1.2e-2 (tiny-sd) after a whole UNet call. */
    private static final double BF16_UNET_ERR = 0.03;
    /** fp16: measured 3.6e-4 for both products (libtorch's CPU kernels). */
    private static final double FP16_ERR = 0.003;
    /** fp16: measured 4.7e-4 (toy model) and 1.5e-3 (tiny-sd) after a whole UNet call. */
    private static final double FP16_UNET_ERR = 0.01;

    @Test
    void bf16ProductsMatchFloat32WithinItsPrecision() {
        assumeTrue(CpuFlags.hasBf16(), "the CPU has neither avx512_bf16 nor amx_bf16");
        productsMatch(DataType.BFLOAT16, BF16_ERR);
    }

    @Test
    void fp16ProductsMatchFloat32WithinItsPrecision() {
        productsMatch(DataType.FLOAT16, FP16_ERR);
    }

    @Test
    void bf16UNetOutputMatchesFloat32() {
        assumeTrue(CpuFlags.hasBf16(), "the CPU has neither avx512_bf16 nor amx_bf16");
        unetMatches(DataType.BFLOAT16, BF16_UNET_ERR);
    }

    @Test
    void fp16UNetOutputMatchesFloat32() {
        unetMatches(DataType.FLOAT16, FP16_UNET_ERR);
    }

    private static void productsMatch(DataType type, double tolerance) {
        try (NDManager m = NDManager.newBaseManager()) {
            Params f32 = Params.random(m, 3);
            Params half = Params.random(Runtime.cpu().withDtype(type), m, 3);
            m.getEngine().setRandomSeed(5);
            NDArray x = m.randomNormal(new Shape(2, 64, 320));
            double linear = relativeError(Linear.load(half, "l", 320, 1280, true).forward(x),
                    Linear.load(f32, "l", 320, 1280, true).forward(x));
            NDArray img = m.randomNormal(new Shape(2, 32, 16, 16));
            double conv = relativeError(Conv2d.load(half, "c", 32, 64, 3, 1, 1).forward(img),
                    Conv2d.load(f32, "c", 32, 64, 3, 1, 1).forward(img));
            System.out.printf("%s relative error: linear %.3g, conv %.3g%n", type, linear, conv);
            assertTrue(linear > 0 && linear < tolerance, "linear " + linear);
            assertTrue(conv > 0 && conv < tolerance, "conv " + conv);
        }
    }

    private static void unetMatches(DataType type, double tolerance) {
        for (Path model : new Path[] {Fixtures.TOYWORLD, Fixtures.TINY_SD}) {
            try (NDManager m = NDManager.newBaseManager()) {
                UNet2DConditionModel f32 = UNet2DConditionModel.load(DiffusersFolder.open(model), m);
                UNet2DConditionModel half = UNet2DConditionModel.load(DiffusersFolder.open(model),
                        Runtime.cpu().withDtype(type), m);
                int width = f32.config().crossAttentionWidths().iterator().next();
                m.getEngine().setRandomSeed(11);
                NDArray sample = m.randomNormal(new Shape(2, f32.config().inChannels(), 16, 16));
                UNetConditioning text = UNetConditioning.text(m.randomNormal(new Shape(2, 77, width)));
                NDArray reference = f32.forward(sample, 500, text);
                NDArray out = half.forward(sample, 500, text);
                assertEquals(DataType.FLOAT32, out.getDataType());
                // What matters is that no float32 copy is computed with (DJL 0.36 names libtorch's bf16 UNKNOWN).
                assertEquals(type == DataType.BFLOAT16 ? DataType.UNKNOWN : type,
                        half.feedForwardOutWeight(0).getDataType());
                double err = relativeError(out, reference);
                System.out.printf("%s UNet relative error on %s: %.3g%n", type, model.getFileName(), err);
                assertTrue(err > 0 && err < tolerance, model + ": " + err);
            }
        }
    }

    @Test
    void sixteenBitTypesAreRefusedWithGradients() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runtime.cpu().withDtype(DataType.FLOAT16).withGradients(true));
        assertTrue(e.getMessage().contains("gradient runtime stays float32"), e.getMessage());
    }

    @Test
    void fp16IsNotSelectedForTheCpu() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runtime.select(ai.djl.Device.cpu(), DataType.FLOAT16));
        assertTrue(e.getMessage().contains("fp16 compute is for CUDA devices"), e.getMessage());
        assertEquals(DataType.FLOAT32, Runtime.selected().dtype());
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
