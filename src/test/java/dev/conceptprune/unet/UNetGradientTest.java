package dev.conceptprune.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.conceptprune.Fixtures;
import dev.conceptprune.nn.RandomTensor;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.io.SafetensorsFile;
import org.junit.jupiter.api.Test;

/** The tiny UNet built for a gradient runtime: same numbers as the fast path, and a usable backward pass. */
class UNetGradientTest {
    private static final float TIMESTEP = 500f;
    /**
     * Step of the central difference: float32 rounding of the loss dominates below it (1e-2 gave a
     * relative difference of 7e-3), the curvature above it.
     */
    private static final float STEP = 5e-2f;
    /** Relative disagreement of autograd and the central difference: 1.0e-3 measured, 10x that allowed. */
    private static final double GRADIENT_TOL = 1e-2;

    @Test
    void gradientRuntimeMatchesTheFastPathAndItsGradientMatchesFiniteDifferences() {
        ModelSource tiny = ModelSource.open(Fixtures.TINY_SD);
        try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.REFERENCE.resolve("unet.safetensors"));
             NDManager m = Runtime.cpu().newManager()) {
            UNet2DConditionModel fast = UNet2DConditionModel.load(tiny, Runtime.cpu(), m);
            UNet2DConditionModel tracked = UNet2DConditionModel.load(tiny, Runtime.cpu().withGradients(true), m);
            float[] sample = ref.readFloats("sample");
            float[] text = ref.readFloats("encoder_hidden_states");
            Shape sampleShape = new Shape(ref.info("sample").shape());
            Shape textShape = new Shape(ref.info("encoder_hidden_states").shape());
            float[] expected = forward(fast, m, sample, sampleShape, text, textShape);
            assertArrayEquals(expected, forward(tracked, m, sample, sampleShape, text, textShape));

            float[] weights = RandomTensor.normal(7, "loss.weights", expected.length, 1);
            float[] gradient;
            try (NDManager s = m.newSubManager();
                 GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray states = s.create(text, textShape);
                states.setRequiresGradient(true);
                NDArray out = tracked.forward(s.create(sample, sampleShape), TIMESTEP, UNetConditioning.text(states));
                assertArrayEquals(expected, out.toFloatArray(), "output with autograd recording");
                collector.backward(out.mul(s.create(weights, out.getShape())).sum());
                gradient = states.getGradient().toFloatArray();
            }
            assertEquals(text.length, gradient.length);
            int largest = 0;
            for (int i = 0; i < gradient.length; i++) {
                assertTrue(Float.isFinite(gradient[i]), "gradient entry " + i + " is " + gradient[i]);
                if (Math.abs(gradient[i]) > Math.abs(gradient[largest])) {
                    largest = i;
                }
            }
            assertTrue(gradient[largest] != 0f, "the gradient is zero");

            float[] plus = text.clone();
            float[] minus = text.clone();
            plus[largest] += STEP;
            minus[largest] -= STEP;
            double numeric = (loss(fast, m, sample, sampleShape, plus, textShape, weights)
                    - loss(fast, m, sample, sampleShape, minus, textShape, weights)) / (2.0 * STEP);
            double relative = Math.abs(numeric - gradient[largest]) / Math.abs(numeric);
            assertTrue(relative < GRADIENT_TOL, "autograd " + gradient[largest] + " vs central difference "
                    + numeric + " (relative " + relative + ")");
        }
    }

    private static float[] forward(UNet2DConditionModel unet, NDManager m, float[] sample, Shape sampleShape,
                                   float[] text, Shape textShape) {
        try (NDManager s = m.newSubManager()) {
            NDArray states = s.create(text, textShape);
            return unet.forward(s.create(sample, sampleShape), TIMESTEP, UNetConditioning.text(states)).toFloatArray();
        }
    }

    private static double loss(UNet2DConditionModel unet, NDManager m, float[] sample, Shape sampleShape,
                               float[] text, Shape textShape, float[] weights) {
        float[] out = forward(unet, m, sample, sampleShape, text, textShape);
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += (double) out[i] * weights[i];
        }
        return sum;
    }
}
