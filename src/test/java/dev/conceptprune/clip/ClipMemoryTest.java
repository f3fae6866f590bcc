package dev.conceptprune.clip;

import dev.conceptprune.clip.ClipImageProcessor;
import dev.conceptprune.clip.ClipModel;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** Repeated calls must leave nothing in the model's manager and nothing but their results in the caller's. */
class ClipMemoryTest {
    @Test
    void callsLeaveNoArraysBehind() {
        try (NDManager base = NDManager.newBaseManager();
             NDManager model = base.newSubManager();
             NDManager caller = base.newSubManager()) {
            ClipModel clip = ClipModel.load(ClipFixture.DIR, model);
            ClipImageProcessor processor = ClipImageProcessor.read(ClipFixture.DIR.resolve("preprocessor_config.json"));
            int weights = model.getManagedArrays().size();
            NDArray pixels = processor.pixelValues(caller, ClipFixture.images());
            int[][] ids = {{49406, 320, 49407, 49407}, {49406, 49407, 49407, 49407}};
            int before = caller.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                clip.imageFeatures(pixels).close();
                clip.textFeatures(caller, ids).close();
            }
            assertEquals(weights, model.getManagedArrays().size(), "arrays in the model manager");
            assertEquals(before, caller.getManagedArrays().size(), "arrays in the caller's manager");
        }
    }
}
