package dev.conceptprune.text;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.conceptprune.Fixtures;
import dev.conceptprune.nn.Params;
import dev.conceptprune.weights.Config;
import dev.conceptprune.weights.SafetensorsFile;
import dev.conceptprune.weights.TensorStore;
import dev.conceptprune.weights.WeightFormatException;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClipTextModelTest {
    private static final Path DIR = Fixtures.TINY_SD.resolve("text_encoder");

    @Test
    void matchesTransformersHiddenStates() {
        try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.REFERENCE.resolve("text_encoder.safetensors"));
             TensorStore store = TensorStore.open(DIR.resolve("model.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            ClipTextConfig cfg = ClipTextConfig.from(Config.read(DIR.resolve("config.json")));
            ClipTextModel model = new ClipTextModel(cfg, new Params(store, m));
            long[] flat = ref.readLongs("input_ids");
            int batch = 3;
            int[][] ids = new int[batch][77];
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < 77; s++) {
                    ids[b][s] = (int) flat[b * 77 + s];
                }
            }
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
