package dev.conceptprune.unet;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.io.SafetensorsFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UNet2DConditionModelTest {
    /** Measured 1.3e-6 on the noise predictions. */
    private static final double PREDICTION_TOL = 2e-5;
    /** Measured 3.6e-6 at most (conv_norm_out), 0 for conv_in and time_proj. */
    private static final double INTERMEDIATE_TOL = 4e-5;
    private static final String BLOCK = "down_blocks.1.attentions.0.transformer_blocks.0.";

    private static NDManager manager;
    private static UNet2DConditionModel unet;
    private static SafetensorsFile ref;

    /** The tiny UNet and its reference inputs, loaded once; each test computes in a sub-manager. */
    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        unet = UNet2DConditionModel.load(DiffusersFolder.open(Fixtures.TINY_SD), manager);
        ref = reference("unet.safetensors");
    }

    @AfterAll
    static void close() {
        ref.close();
        manager.close();
    }

    @AfterEach
    void removeObserver() {
        unet.setObserver(null);
    }

    private static SafetensorsFile reference(String file) {
        return SafetensorsFile.open(Fixtures.REFERENCE.resolve(file));
    }

    static NDArray tensor(NDManager m, SafetensorsFile f, String name) {
        return m.create(f.readFloats(name), new Shape(f.info(name).shape()));
    }

    private static UNetConditioning textOf(NDManager m, SafetensorsFile ref) {
        return UNetConditioning.text(tensor(m, ref, "encoder_hidden_states"));
    }

    @Test
    void noisePredictionsMatchDiffusers() {
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = tensor(m, ref, "sample");
            UNetConditioning text = UNetConditioning.text(tensor(m, ref, "encoder_hidden_states"));
            assertEquals("int64", ref.metadata().get("timestep_dtype"));
            for (JsonElement t : JsonParser.parseString(ref.metadata().get("timesteps")).getAsJsonArray()) {
                NDArray pred = unet.forward(sample, (float) t.getAsLong(), text);
                assertEquals(sample.getShape(), pred.getShape());
                assertClose("noise_pred_t" + t, ref.readFloats("noise_pred_t" + t), pred.toFloatArray(), PREDICTION_TOL);
            }
        }
    }

    @Test
    void intermediatesMatchDiffusers() {
        try (SafetensorsFile inter = reference("unet_intermediates.safetensors");
             NDManager m = manager.newSubManager()) {
            Map<String, float[]> seen = new HashMap<>();
            unet.setObserver((layer, geglu) -> {
                if (layer == 2) {
                    seen.put(BLOCK + "ff.net.0.out", geglu.toFloatArray());
                }
            });
            float t = Float.parseFloat(inter.metadata().get("timestep"));
            unet.forward(tensor(m, ref, "sample"), t, textOf(m, ref),
                    (name, value) -> seen.put(name, value.toFloatArray()));
            int compared = 0;
            for (String name : inter.tensors().keySet()) {
                float[] expected = inter.readFloats(name);
                float[] actual = seen.get(name);
                if (actual == null) {
                    continue;
                }
                if (name.startsWith("time_")) {
                    // One embedding broadcast to the batch: compare it with every row.
                    int row = actual.length;
                    for (int b = 0; b * row < expected.length; b++) {
                        assertClose(name + "[" + b + "]", Fixtures.slice(expected, b * row, row), actual,
                                INTERMEDIATE_TOL);
                    }
                } else {
                    assertClose(name, expected, actual, INTERMEDIATE_TOL);
                }
                compared++;
            }
            // 2 time, conv_in, 4 down outs, 11 skips, mid, 4 up outs, conv_norm_out, conv_out, GEGLU
            assertEquals(26, compared);
        }
    }

    @Test
    void observerSeesEveryFeedForwardInExecutionOrder() {
        try (SafetensorsFile colnorms = SafetensorsFile.open(Fixtures.TINY_SD.resolve("conceptprune/colnorms.safetensors"));
             NDManager m = manager.newSubManager()) {
            List<FeedForwardLayer> layers = unet.feedForwardLayers();
            List<String> expectedNames = new ArrayList<>();
            JsonParser.parseString(colnorms.metadata().get("layer_names")).getAsJsonArray()
                    .forEach(e -> expectedNames.add(e.getAsString()));
            assertEquals(expectedNames, layers.stream().map(FeedForwardLayer::name).toList());

            List<Integer> order = new ArrayList<>();
            List<Shape> shapes = new ArrayList<>();
            unet.setObserver((layer, geglu) -> {
                order.add(layer);
                shapes.add(geglu.getShape());
            });
            unet.forward(tensor(m, ref, "sample"), 981, textOf(m, ref));
            long[] tokens = {256, 256, 64, 64, 16, 16, 4, 16, 16, 16, 64, 64, 64, 256, 256, 256};
            assertEquals(16, order.size());
            for (int l = 0; l < 16; l++) {
                FeedForwardLayer layer = layers.get(l);
                assertEquals(l, order.get(l));
                assertEquals(l, layer.index());
                assertEquals(4 * layer.dim(), layer.inner());
                assertEquals(new Shape(2, tokens[l], layer.inner()), shapes.get(l), layer.name());
                assertEquals(new Shape(layer.dim(), layer.inner()), unet.feedForwardOutWeight(l).getShape());
                assertEquals(new Shape(2L * layer.inner(), layer.dim()), unet.feedForwardInWeight(l).getShape());
            }

            unet.setObserver(null);
            order.clear();
            unet.forward(tensor(m, ref, "sample"), 981, textOf(m, ref));
            assertTrue(order.isEmpty());
        }
    }

    @Test
    void feedForwardWeightsAreLive() {
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = tensor(m, ref, "sample");
            UNetConditioning text = UNetConditioning.text(tensor(m, ref, "encoder_hidden_states"));
            float[] before = unet.forward(sample, 981, text).toFloatArray();
            NDArray w = unet.feedForwardOutWeight(6);
            NDArray saved = w.duplicate();
            w.muli(0);
            double changed = Fixtures.maxAbsDiff(before, unet.forward(sample, 981, text).toFloatArray());
            // restored by in-place ops: overwriting from a Java array makes libtorch print a deprecation warning
            w.addi(saved);
            assertTrue(changed > 1e-3, "zeroing mid_block ff.net.2 changed the output by only " + changed);
            assertEquals(0.0, Fixtures.maxAbsDiff(before, unet.forward(sample, 981, text).toFloatArray()));
        }
    }

    @Test
    void addedConditionsAreRefusedWithoutAnAdditionEmbedding() {
        try (NDManager m = manager.newSubManager()) {
            UNetConditioning withPooled = new UNetConditioning(tensor(m, ref, "encoder_hidden_states"),
                    m.zeros(new Shape(2, 32)), m.zeros(new Shape(2, 6)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> unet.forward(tensor(m, ref, "sample"), 981, withPooled));
            assertTrue(e.getMessage().contains("addition_embed_type"), e.getMessage());
        }
    }

    @Test
    void latentSidesNotDivisibleByEightKeepTheirSize() {
        try (NDManager m = manager.newSubManager()) {
            UNetConditioning text = textOf(m, ref);
            for (long[] hw : new long[][] {{8, 12}, {9, 13}, {12, 8}}) {
                NDArray sample = m.randomNormal(new Shape(2, 4, hw[0], hw[1]));
                NDArray pred = unet.forward(sample, 500.5f, text);
                assertEquals(sample.getShape(), pred.getShape());
                for (float v : pred.toFloatArray()) {
                    assertTrue(Float.isFinite(v), "non-finite output for " + sample.getShape());
                }
            }
        }
    }
}
