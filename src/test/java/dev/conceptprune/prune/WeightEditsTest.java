package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.DType;
import dev.conceptprune.io.Float32;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.model.SingleFileSource;
import dev.conceptprune.model.TensorSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edits with values other than zero land in every layout and dtype; a mask's fill becomes edits. */
class WeightEditsTest {
    private static final String UNET_PARAM = "mid_block.attentions.0.transformer_blocks.0.ff.net.2.weight";
    private static final String TEXT_KEY = "text_encoder/text_model.encoder.layers.1.mlp.fc2.weight";

    @Test
    void valuesAreEncodedInTheTensorsOwnDtype() {
        float third = 1f / 3;
        for (DType t : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            float[] before = {0.5f, 1.5f, 2.5f, 3.5f};
            ByteBuffer data = WeightEdits.encoded(before, t);
            ByteBuffer got = WeightEdits.applied(data, t, new int[] {1, 3}, new float[] {third, -0f});
            float[] back = Float32.decode(got, t, 4);
            float rounded = Float32.decode(WeightEdits.encoded(new float[] {third}, t), t, 1)[0];
            assertArrayEquals(new float[] {0.5f, rounded, 2.5f, -0f}, back, t.name());
            assertTrue(t == DType.F32 ? rounded == third : Math.abs(rounded - third) < 2e-3 && rounded != third,
                    t + " rounds 1/3 to " + rounded);
            assertEquals(WeightEdits.encoded(before, t), data, "the input bytes are not written to");
        }
        ByteBuffer zero = WeightEdits.applied(WeightEdits.encoded(new float[] {7f}, DType.BF16), DType.BF16,
                new int[] {0}, new float[] {0f});
        assertEquals(0, zero.order(ByteOrder.LITTLE_ENDIAN).getShort(0), "a zero is zero bytes");
    }

    @Test
    void aFolderGetsTheValuesInEveryComponent(@TempDir Path tmp) {
        DiffusersFolder base = DiffusersFolder.open(Fixtures.TINY_SD);
        WeightEdits edits = new WeightEdits(Map.of(
                UNET_PARAM, new WeightEdits.Edit(shape(base, UNET_PARAM), new int[] {0, 9, 63}, new float[] {0.1f, -2f, 3e-3f}),
                TEXT_KEY, new WeightEdits.Edit(shape(base, TEXT_KEY), new int[] {4}, new float[] {42f})));
        EditedModel.export(base, edits, tmp.resolve("edited"), false);
        assertEdited(base, DiffusersFolder.open(tmp.resolve("edited")), edits);
    }

    @Test
    void aSingleFileGetsTheValuesThroughFusedAndTransposedTensors(@TempDir Path tmp) {
        Path folder = Fixtures.ROOT.resolve("tiny-sdxl");
        SingleFileOptions configs = new SingleFileOptions(folder, null, null, false);
        SingleFileSource base = SingleFileSource.open(folder.resolve("single_file/tiny-xl.safetensors"), configs);
        Map<String, WeightEdits.Edit> e = new LinkedHashMap<>();
        // values exact in float16, the file's dtype
        e.put("text_encoder_2/text_model.encoder.layers.0.self_attn.k_proj.weight", new WeightEdits.Edit(
                shape(base, "text_encoder_2/text_model.encoder.layers.0.self_attn.k_proj.weight"), new int[] {0, 65, 4095},
                new float[] {0.25f, -1.5f, 8f}));
        e.put("text_encoder_2/text_model.encoder.layers.0.self_attn.q_proj.weight", new WeightEdits.Edit(
                shape(base, "text_encoder_2/text_model.encoder.layers.0.self_attn.q_proj.weight"), new int[] {1, 4094},
                new float[] {-0.125f, 3f}));
        e.put("text_encoder_2/text_projection.weight", new WeightEdits.Edit(
                shape(base, "text_encoder_2/text_projection.weight"), new int[] {1, 200, 4094}, new float[] {5f, 6f, 7f}));
        WeightEdits edits = new WeightEdits(e);
        Path out = tmp.resolve("tiny-xl.safetensors");
        EditedModel.export(base, edits, out, false);
        assertEdited(base, SingleFileSource.open(out, configs), edits);
    }

    @Test
    void theCkptBecomesASafetensorsFileWithTheValues(@TempDir Path tmp) {
        ModelSource ckpt = ModelSource.open(Fixtures.ROOT.resolve("tiny-sd1-single/tiny-sd1c.ckpt"));
        WeightEdits edits = new WeightEdits(Map.of(UNET_PARAM,
                new WeightEdits.Edit(shape(ckpt, UNET_PARAM), new int[] {2, 1000}, new float[] {-0.75f, 0.0625f})));
        Path out = EditedModel.target(ckpt, tmp, tmp);
        EditedModel.export(ckpt, edits, out, false);
        assertEdited(ckpt, ModelSource.open(out), edits);
    }

    @Test
    void aMasksGaussianFillIsDrawnPerParameterWhateverElseTheMaskHolds() {
        DiffusersFolder base = DiffusersFolder.open(Fixtures.TINY_SD);
        Map<String, String> meta = new LinkedHashMap<>(PruneFill.gaussian(5).toMetadata());
        int[] unetIdx = {3, 4, 500};
        int[] textIdx = {0, 7};
        PruneMask both = new PruneMask(Map.of(UNET_PARAM, unetIdx, TEXT_KEY, textIdx),
                Map.of(UNET_PARAM, shape(base, UNET_PARAM), TEXT_KEY, shape(base, TEXT_KEY)), meta);
        PruneMask one = new PruneMask(Map.of(UNET_PARAM, unetIdx), Map.of(UNET_PARAM, shape(base, UNET_PARAM)), meta);
        WeightEdits a = WeightEdits.of(base, both);
        WeightEdits b = WeightEdits.of(base, one);
        assertArrayEquals(b.edits().get(UNET_PARAM).values(), a.edits().get(UNET_PARAM).values());
        try (TensorSource unet = base.tensors(Component.UNET)) {
            assertArrayEquals(PruneFill.gaussian(5).values(UNET_PARAM, unet.readFloats(UNET_PARAM), unetIdx),
                    a.edits().get(UNET_PARAM).values());
        }
        assertEquals(5, a.count());
        PruneMask wrong = new PruneMask(Map.of(UNET_PARAM, unetIdx), Map.of(UNET_PARAM, new long[] {3, 3}), meta);
        InputException e = assertThrows(InputException.class, () -> WeightEdits.of(base, wrong));
        assertTrue(e.getMessage().contains("has shape [3, 3] but the model's tensor has"), e.getMessage());
    }

    /**
     * Every edited entry reads back with its value rounded to the file's dtype; every other entry is the
     * base's. Lists what differs by "component parameter index".
     */
    private static void assertEdited(ModelSource base, ModelSource edited, WeightEdits edits) {
        Map<String, String> bad = new LinkedHashMap<>();
        for (Component c : List.of(Component.UNET, Component.VAE, Component.TEXT_ENCODER, Component.TEXT_ENCODER_2)) {
            if (!base.has(c)) {
                continue;
            }
            try (TensorSource before = base.tensors(c); TensorSource after = edited.tensors(c)) {
                for (String n : before.names()) {
                    float[] want = before.readFloats(n);
                    WeightEdits.Edit e = edits.edits().get(MaskKey.of(c, n));
                    if (e != null) {
                        DType t = after.info(n).dtype();
                        float[] v = Float32.decode(WeightEdits.encoded(e.values(), t), t, e.values().length);
                        int[] idx = e.indices();
                        for (int j = 0; j < idx.length; j++) {
                            want[idx[j]] = v[j];
                        }
                    }
                    float[] got = after.readFloats(n);
                    for (int i = 0; i < want.length; i++) {
                        if (Float.compare(want[i], got[i]) != 0) {
                            bad.put(c + " " + n + " " + i, got[i] + " instead of " + want[i]);
                        }
                    }
                }
            }
        }
        assertEquals(Map.of(), bad);
    }

    private static long[] shape(ModelSource base, String key) {
        try (TensorSource t = base.tensors(MaskKey.component(key))) {
            return t.info(MaskKey.parameter(key)).shape();
        }
    }
}
