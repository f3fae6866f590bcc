package dev.conceptprune.unet;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.DiffusersFolder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tiny SDXL UNet: text_time added embedding, several transformer blocks per attention. */
class SdxlUNetTest {
    /** Measured 2.6e-6 at most on the noise predictions (t999). */
    private static final double PREDICTION_TOL = 1e-5;

    private static NDManager manager;
    private static UNet2DConditionModel unet;
    private static SafetensorsFile ref;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        unet = UNet2DConditionModel.load(DiffusersFolder.open(Fixtures.TINY_SDXL), manager);
        ref = SafetensorsFile.open(Fixtures.TINY_SDXL.resolve("reference/unet.safetensors"));
    }

    @AfterAll
    static void close() {
        ref.close();
        manager.close();
    }

    private static NDArray tensor(NDManager m, String name) {
        return UNet2DConditionModelTest.tensor(m, ref, name);
    }

    private static UNetConditioning conditioning(NDManager m) {
        return new UNetConditioning(tensor(m, "encoder_hidden_states"), tensor(m, "text_embeds"),
                tensor(m, "time_ids"));
    }

    @Test
    void noisePredictionsWithAddedConditionsMatchDiffusers() {
        UNetConfig cfg = unet.config();
        assertTrue(cfg.hasTextTime());
        assertEquals(64, cfg.addedTextWidth());
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = tensor(m, "sample");
            UNetConditioning c = conditioning(m);
            for (var t : JsonParser.parseString(ref.metadata().get("timesteps")).getAsJsonArray()) {
                NDArray pred = unet.forward(sample, t.getAsFloat(), c);
                assertClose("noise_pred.t" + t, ref.readFloats("noise_pred.t" + t), pred.toFloatArray(),
                        PREDICTION_TOL);
            }
        }
    }

    @Test
    void theTimeIdsChangeThePrediction() {
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = tensor(m, "sample");
            UNetConditioning c = conditioning(m);
            float[] base = unet.forward(sample, 500, c).toFloatArray();
            UNetConditioning other = new UNetConditioning(c.textStates(), c.pooledText(), c.timeIds().add(8));
            double changed = Fixtures.maxAbsDiff(base, unet.forward(sample, 500, other).toFloatArray());
            assertTrue(changed > 1e-4, "other time ids changed the output by only " + changed);
        }
    }

    @Test
    void missingOrMisShapedAddedConditionsAreRefused() {
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = tensor(m, "sample");
            NDArray text = tensor(m, "encoder_hidden_states");
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> unet.forward(sample, 500, UNetConditioning.text(text)));
            assertTrue(none.getMessage().contains("time ids (2, 6)"), none.getMessage());
            UNetConditioning narrow = new UNetConditioning(text, m.zeros(new Shape(2, 32)), m.zeros(new Shape(2, 6)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> unet.forward(sample, 500, narrow));
            assertTrue(e.getMessage().contains("(2, 32)"), e.getMessage());
        }
    }

    @Test
    void everyTransformerBlockIsObservedInExecutionOrderUnderItsParameterName() {
        try (SafetensorsFile union = SafetensorsFile.open(
                Fixtures.TINY_SDXL.resolve("conceptprune/union_masks.safetensors"));
             NDManager m = manager.newSubManager()) {
            List<String> expected = new ArrayList<>();
            JsonParser.parseString(union.metadata().get("layer_names")).getAsJsonArray()
                    .forEach(e -> expected.add(e.getAsString()));
            assertEquals(22, expected.size());
            assertEquals(expected, unet.feedForwardLayers().stream().map(FeedForwardLayer::name).toList());
            List<Integer> order = new ArrayList<>();
            unet.setObserver((layer, geglu) -> order.add(layer));
            try {
                unet.forward(tensor(m, "sample"), 999, conditioning(m));
            } finally {
                unet.setObserver(null);
            }
            List<Integer> inOrder = new ArrayList<>();
            for (int l = 0; l < 22; l++) {
                inOrder.add(l);
            }
            assertEquals(inOrder, order);
        }
    }
}
