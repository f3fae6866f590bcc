package dev.conceptprune.clip;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.Fixtures;
import dev.conceptprune.nn.Params;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.io.SafetensorsFile;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipModelTest {
    @Test
    void imageFeaturesMatchTransformers() {
        try (SafetensorsFile ref = SafetensorsFile.open(ClipFixture.OUTPUTS);
             NDManager m = NDManager.newBaseManager()) {
            ClipModel model = ClipModel.load(ClipFixture.DIR, m);
            NDArray pixels = m.create(ref.readFloats("pixel_values"), new Shape(3, 3, 32, 32));
            // measured 4.8e-7 (both pixel sources) and 2.4e-7 (resized)
            assertClose("image_embeds (reference pixels)", ref.readFloats("image_embeds"),
                    model.imageFeatures(pixels).toFloatArray(), 5e-6);

            ClipImageProcessor processor = ClipImageProcessor.read(ClipFixture.DIR.resolve("preprocessor_config.json"));
            NDArray ours = processor.pixelValues(m, ClipFixture.images());
            assertClose("image_embeds (our pixels)", ref.readFloats("image_embeds"),
                    model.imageFeatures(ours).toFloatArray(), 5e-6);
            NDArray resized = processor.pixelValues(m, List.of(ClipFixture.resizeImage()));
            assertClose("image_embeds_resize (our pixels)", ref.readFloats("image_embeds_resize"),
                    model.imageFeatures(resized).toFloatArray(), 3e-6);
        }
    }

    @Test
    void textFeaturesMatchTransformers() {
        try (SafetensorsFile ref = SafetensorsFile.open(ClipFixture.OUTPUTS);
             NDManager m = NDManager.newBaseManager()) {
            ClipModel model = ClipModel.load(ClipFixture.DIR, m);
            ClipTokenizer tokenizer = ClipTokenizer.load(ClipFixture.DIR);
            List<String> prompts = ClipFixture.prompts();
            long[] expected = ref.readLongs("input_ids");
            int[][] ids = new int[prompts.size()][];
            for (int b = 0; b < ids.length; b++) {
                ids[b] = tokenizer.encode(prompts.get(b));
                for (int s = 0; s < ids[b].length; s++) {
                    assertEquals(expected[b * 77 + s], ids[b][s], "input_ids[" + b + "][" + s + "]");
                }
            }
            assertArrayEquals(new long[] {4, 16}, model.textFeatures(m, ids).getShape().getShape());
            // measured 7.2e-7
            assertClose("text_embeds", ref.readFloats("text_embeds"), model.textFeatures(m, ids).toFloatArray(), 8e-6);
        }
    }

    @Test
    void textModelPoolsAndProjectsAsClipModelDid() {
        try (SafetensorsFile ref = SafetensorsFile.open(ClipFixture.OUTPUTS);
             TensorStore store = TensorStore.open(ClipFixture.DIR.resolve("model.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            ClipConfig config = ClipConfig.read(ClipFixture.DIR.resolve("config.json"));
            ClipTextModel text = new ClipTextModel(config.text(), new Params(store, m), true);
            ClipModel model = ClipModel.load(ClipFixture.DIR, m);
            long[] flat = ref.readLongs("input_ids");
            int[][] ids = new int[4][77];
            for (int b = 0; b < ids.length; b++) {
                for (int s = 0; s < 77; s++) {
                    ids[b][s] = (int) flat[b * 77 + s];
                }
            }
            NDArray last = text.encode(m, ids);
            NDArray pooled = text.pooled(m, ids);
            for (int b = 0; b < ids.length; b++) {
                int eot = firstIndexOf(ids[b], 49407);
                assertEquals(eot, text.poolIndex(ids[b]), "pooling position of row " + b);
                assertEquals(0.0, Fixtures.maxAbsDiff(last.get(b).get(eot).toFloatArray(), pooled.get(b).toFloatArray()));
            }
            float[] projected = text.project(pooled).toFloatArray();
            assertClose("text_embeds", ref.readFloats("text_embeds"), projected, 1e-4);
            assertEquals(0.0, Fixtures.maxAbsDiff(model.textFeatures(m, ids).toFloatArray(), projected));
        }
    }

    private static int firstIndexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new AssertionError("no token " + id);
    }

    @Test
    void logitScaleIsStoredAsLogarithm() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClipModel model = ClipModel.load(ClipFixture.DIR, m);
            assertEquals(14.475056648254395, model.logitScale());
        }
    }
}
