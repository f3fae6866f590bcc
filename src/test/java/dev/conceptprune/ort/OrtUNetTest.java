package dev.conceptprune.ort;

import static dev.conceptprune.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.nn.Params;
import dev.conceptprune.unet.UNetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ONNX Runtime peer computes diffusers' noise predictions from the same tiny UNet weights. */
class OrtUNetTest {
    /** Measured 1.6e-6 at most (both attention forms); our own UNet is within 1.3e-6 of the same reference. */
    private static final double PREDICTION_TOL = 1e-5;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void noisePredictionsMatchDiffusers(boolean fusedAttention) {
        ModelSource source = DiffusersFolder.open(Fixtures.TINY_SD);
        UNetConfig cfg = UNetConfig.from(source.config(Component.UNET));
        try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.REFERENCE.resolve("unet.safetensors"));
             NDManager m = NDManager.newBaseManager();
             TensorSource store = source.tensors(Component.UNET)) {
            long[] sample = ref.info("sample").shape();
            long[] text = ref.info("encoder_hidden_states").shape();
            try (OrtUNet unet = OrtUNet.build(cfg, new Params(store, m), sample, text[1], 1, fusedAttention, null)) {
                int checked = 0;
                for (JsonElement t : JsonParser.parseString(ref.metadata().get("timesteps")).getAsJsonArray()) {
                    float[] pred = unet.forward(ref.readFloats("sample"), t.getAsLong(),
                            ref.readFloats("encoder_hidden_states"));
                    assertClose("noise_pred_t" + t, ref.readFloats("noise_pred_t" + t), pred, PREDICTION_TOL);
                    checked++;
                }
                assertTrue(checked > 1, "the reference has several timesteps");
            }
        }
    }

    @Test
    void sdxlUNetsAreRefusedBeforeAnyWork() {
        ModelSource source = DiffusersFolder.open(Fixtures.TINY_SDXL);
        UNetConfig cfg = UNetConfig.from(source.config(Component.UNET));
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrtUNet.build(cfg,
                    Params.random(m, 0), new long[] {2, cfg.inChannels(), 8, 8}, 77, 1, false, null));
            assertTrue(e.getMessage().contains("text_time"), e.getMessage());
        }
    }
}
