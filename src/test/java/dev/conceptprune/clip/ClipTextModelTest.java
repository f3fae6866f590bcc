package dev.conceptprune.clip;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.conceptprune.Fixtures;
import dev.conceptprune.nn.Params;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.io.WeightFormatException;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClipTextModelTest {
    private static final Path DIR = Fixtures.TINY_SD.resolve("text_encoder");
    private static final Path REFERENCE = Fixtures.REFERENCE.resolve("text_encoder.safetensors");

    @Test
    void matchesTransformersHiddenStates() {
        try (SafetensorsFile ref = SafetensorsFile.open(REFERENCE);
             TensorStore store = TensorStore.open(DIR.resolve("model.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            ClipTextConfig cfg = ClipTextConfig.from(Config.read(DIR.resolve("config.json")));
            ClipTextModel model = new ClipTextModel(cfg, new Params(store, m));
            int[][] ids = referenceIds();
            NDList hs = model.hiddenStates(m, ids);
            // measured: 0 for the embeddings (a lookup and an add), then 3.6e-7, 7.2e-7, 9.5e-7 (last)
            for (int i = 0; i <= cfg.layers(); i++) {
                assertClose("hidden_states." + i, ref.readFloats("hidden_states." + i), hs.get(i).toFloatArray(),
                        i == 0 ? 0 : 1e-5);
            }
            NDArray last = model.encode(m, ids);
            assertClose("last_hidden_state", ref.readFloats("last_hidden_state"), last.toFloatArray(), 1e-5);
            assertEquals(cfg.layers() + 2, hs.size());
        }
    }

    @Test
    void penultimateIsTheNextToLastLayerWithoutTheFinalNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClipTextModel model = tinyModel(m);
            int[][] ids = referenceIds();
            NDList hs = model.hiddenStates(m, ids);
            int layers = model.config().layers();
            assertEquals(0.0, Fixtures.maxAbsDiff(hs.get(layers - 1).toFloatArray(),
                    model.penultimate(m, ids).toFloatArray()));
            assertClose("hidden_states[-2]", reference("hidden_states." + (layers - 1)),
                    model.penultimate(m, ids).toFloatArray(), 1e-4);
        }
    }

    @Test
    void encodingFromEmbeddingsEqualsEncodingFromIds() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClipTextModel model = tinyModel(m);
            int[][] ids = referenceIds();
            NDArray embeddings = model.tokenEmbeddings(m, ids);
            assertArrayEquals(new long[] {3, 77, model.config().hidden()}, embeddings.getShape().getShape());
            NDList fromIds = model.hiddenStates(m, ids);
            NDList fromEmbeddings = model.hiddenStates(m, embeddings);
            assertEquals(fromIds.size(), fromEmbeddings.size());
            for (int i = 0; i < fromIds.size(); i++) {
                assertEquals(0.0, Fixtures.maxAbsDiff(fromIds.get(i).toFloatArray(),
                        fromEmbeddings.get(i).toFloatArray()), "hidden state " + i);
            }
            assertEquals(m, embeddings.getManager(), "the caller's embeddings stay in its manager");
        }
    }

    @Test
    void legacyEosIdPoolsAtTheFirstLargestId() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClipTextModel model = tinyModel(m);
            assertEquals(2, model.config().eosTokenId());
            int[][] ids = referenceIds();
            NDArray last = model.encode(m, ids);
            NDArray pooled = model.pooled(m, ids);
            assertArrayEquals(new long[] {3, model.config().hidden()}, pooled.getShape().getShape());
            for (int b = 0; b < ids.length; b++) {
                int first = firstLargest(ids[b]);
                assertEquals(49407, ids[b][first], "the largest id is the end-of-text token");
                assertEquals(first, model.poolIndex(ids[b]));
                assertEquals(0.0, Fixtures.maxAbsDiff(last.get(b).get(first).toFloatArray(),
                        pooled.get(b).toFloatArray()), "row " + b);
            }
            assertEquals(false, model.hasProjection());
        }
    }

    private static int firstLargest(int[] ids) {
        int best = 0;
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] > ids[best]) {
                best = i;
            }
        }
        return best;
    }

    private static ClipTextModel tinyModel(NDManager m) {
        try (TensorStore store = TensorStore.open(DIR.resolve("model.safetensors"))) {
            return new ClipTextModel(ClipTextConfig.from(Config.read(DIR.resolve("config.json"))), new Params(store, m));
        }
    }

    /** The reference's three prompts as token ids [3][77]. */
    private static int[][] referenceIds() {
        try (SafetensorsFile ref = SafetensorsFile.open(REFERENCE)) {
            long[] flat = ref.readLongs("input_ids");
            int[][] ids = new int[3][77];
            for (int b = 0; b < 3; b++) {
                for (int s = 0; s < 77; s++) {
                    ids[b][s] = (int) flat[b * 77 + s];
                }
            }
            return ids;
        }
    }

    private static float[] reference(String name) {
        try (SafetensorsFile ref = SafetensorsFile.open(REFERENCE)) {
            return ref.readFloats(name);
        }
    }

    @Test
    void headsThatDoNotDivideHiddenSizeAreRejected() {
        JsonObject o = Config.read(DIR.resolve("config.json")).json().deepCopy();
        o.addProperty("num_attention_heads", 5);
        WeightFormatException e = assertThrows(WeightFormatException.class,
                () -> ClipTextConfig.from(new Config(DIR.resolve("config.json"), o)));
        assertEquals(true, e.getMessage().contains("num_attention_heads"));
    }

    @Test
    void wrongShapeIsReportedWithTensorName() {
        JsonObject o = Config.read(DIR.resolve("config.json")).json().deepCopy();
        o.addProperty("intermediate_size", 96);
        ClipTextConfig cfg = ClipTextConfig.from(new Config(DIR.resolve("config.json"), o));
        try (TensorStore store = TensorStore.open(DIR.resolve("model.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> new ClipTextModel(cfg, new Params(store, m)));
            assertEquals(true, e.getMessage().contains("mlp.fc1.weight"), e.getMessage());
        }
    }
}
