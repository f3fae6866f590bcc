package dev.conceptprune.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.model.DiffusersFolder;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The trained fp16 toy-world UNet: loads as float32, runs, and keeps no memory between calls. */
class UNetToyWorldTest {
    private static final int CALLS = 20;

    @Test
    void runsRepeatedlyWithoutKeepingArrays() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(DiffusersFolder.open(Fixtures.TOYWORLD), m);
            assertEquals(16, unet.feedForwardLayers().size());
            assertEquals(new Shape(128, 512), unet.feedForwardOutWeight(6).getShape());
            int weights = m.getManagedArrays().size();

            m.getEngine().setRandomSeed(7);
            NDArray sample = m.randomNormal(new Shape(2, 4, 16, 16));
            UNetConditioning text = UNetConditioning.text(m.randomNormal(new Shape(2, 77, 128)));
            int baseline = m.getManagedArrays().size();
            assertEquals(weights + 2, baseline);

            // An observer that computes on the activation, as the pruner will.
            AtomicInteger observed = new AtomicInteger();
            unet.setObserver((layer, geglu) -> {
                try (NDArray sq = geglu.square(); NDArray sum = sq.sum()) {
                    assertTrue(Float.isFinite(sum.getFloat()));
                    observed.incrementAndGet();
                }
            });

            try (NDArray first = unet.forward(sample, 981, text)) {
                assertEquals(sample.getShape(), first.getShape());
                for (float v : first.toFloatArray()) {
                    assertTrue(Float.isFinite(v));
                }
                assertEquals(baseline + 1, m.getManagedArrays().size(), "only the result is left");
            }
            for (int i = 0; i < CALLS; i++) {
                unet.forward(sample, 981 - 50 * i, text).close();
                assertEquals(baseline, m.getManagedArrays().size(), "arrays left after call " + i);
            }
            assertEquals(16 * (CALLS + 1), observed.get());
        }
    }
}
