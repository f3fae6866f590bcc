package dev.conceptprune.model;

import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.io.WeightFormatException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.Fixtures;
import dev.conceptprune.nn.Params;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TensorViewTest {
    /** A 1x1 convolution of the tiny VAE: [out, in, 1, 1], the layout single files store attention weights in. */
    private static final String CONV = "decoder.mid_block.resnets.0.conv1.weight";
    private static final String BIAS = "decoder.mid_block.resnets.0.conv1.bias";

    private static TensorStore vae() {
        return DiffusersFolder.open(Fixtures.TINY_SD).tensors(Component.VAE);
    }

    @Test
    void renamesWithoutChangingData() {
        try (TensorStore store = vae(); TensorView view = TensorView.of(store).rename("renamed.bias", BIAS).build()) {
            assertEquals(Set.of("renamed.bias"), view.names());
            assertTrue(view.has("renamed.bias"));
            assertFalse(view.has(BIAS), "only the names added are visible");
            TensorInfo info = view.info("renamed.bias");
            assertEquals("renamed.bias", info.name());
            assertArrayEquals(store.info(BIAS).shape(), info.shape());
            assertEquals(store.info(BIAS).dtype(), info.dtype());
            assertArrayEquals(store.readFloats(BIAS), view.readFloats("renamed.bias"));
            assertEquals(store.bytes(BIAS), view.bytes("renamed.bias"));
            assertEquals(store.info(BIAS).elementCount(), view.parameterCount());
            assertEquals(store.locationOf(BIAS), view.locationOf("renamed.bias"));
        }
    }

    @Test
    void reshapesToTheSameElementCountAndParamsLoadsTheNewShape() {
        try (TensorStore store = vae(); NDManager m = NDManager.newBaseManager()) {
            long[] stored = store.info(CONV).shape();
            long rows = stored[0];
            long cols = stored[1] * stored[2] * stored[3];
            TensorView view = TensorView.of(store).reshape("flat", CONV, rows, cols).build();
            assertArrayEquals(new long[] {rows, cols}, view.info("flat").shape());
            assertArrayEquals(store.readFloats(CONV), view.readFloats("flat"));
            assertArrayEquals(store.readFloats(CONV), new Params(view, m).get("flat", rows, cols).toFloatArray());
        }
    }

    @Test
    void transposesAMatrixInValuesAndBytes() {
        String matrix = "mid_block.attentions.0.transformer_blocks.0.ff.net.2.weight";
        try (TensorStore store = DiffusersFolder.open(Fixtures.TINY_SD).tensors(Component.UNET);
             TensorView view = TensorView.of(store).transpose("t", matrix).build()) {
            long[] s = store.info(matrix).shape();
            int rows = Math.toIntExact(s[0]);
            int cols = Math.toIntExact(s[1]);
            assertArrayEquals(new long[] {cols, rows}, view.info("t").shape());
            float[] stored = store.readFloats(matrix);
            float[] seen = view.readFloats("t");
            java.nio.ByteBuffer b = view.bytes("t");
            int size = store.info(matrix).dtype().size();
            for (int r = 0; r < cols; r++) {
                for (int c = 0; c < rows; c++) {
                    assertEquals(stored[c * cols + r], seen[r * rows + c]);
                    for (int k = 0; k < size; k++) {
                        assertEquals(store.bytes(matrix).get((c * cols + r) * size + k), b.get((r * rows + c) * size + k));
                    }
                }
            }
            assertEquals(store.info(matrix).byteLength(), b.remaining());
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> TensorView.of(store).transpose("t", "conv_in.weight"));
            assertTrue(e.getMessage().contains("is not a matrix"), e.getMessage());
        }
    }

    @Test
    void refusesAShapeWithAnotherElementCount() {
        try (TensorStore store = vae()) {
            long[] stored = store.info(CONV).shape();
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> TensorView.of(store).reshape("bad", CONV, stored[0], stored[1] + 1));
            assertTrue(e.getMessage().contains(CONV) && e.getMessage().contains("element counts differ"),
                    e.getMessage());
        }
    }

    @Test
    void unknownNamesAreReported() {
        try (TensorStore store = vae()) {
            WeightFormatException stored = assertThrows(WeightFormatException.class,
                    () -> TensorView.of(store).rename("x", "no.such.tensor"));
            assertTrue(stored.getMessage().contains("missing tensor 'no.such.tensor'"), stored.getMessage());
            TensorView view = TensorView.of(store).rename("x", BIAS).build();
            WeightFormatException viewed = assertThrows(WeightFormatException.class, () -> view.info(BIAS));
            assertTrue(viewed.getMessage().contains("missing tensor '" + BIAS + "'"), viewed.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TensorView.of(store).rename("x", BIAS).rename("x", CONV));
        }
    }

    @Test
    void slicesAreContiguousElementRangesOfTheStoredTensor() {
        try (TensorStore store = vae()) {
            long[] stored = store.info(CONV).shape();
            long rows = stored[0];
            long cols = stored[1] * stored[2] * stored[3];
            long half = rows / 2;
            // the two dim-0 halves, as q and k of a fused projection would be read
            TensorView view = TensorView.of(store).slice("first", CONV, 0, half, cols)
                    .slice("second", CONV, half * cols, rows - half, cols).build();
            float[] all = store.readFloats(CONV);
            float[] first = view.readFloats("first");
            float[] second = view.readFloats("second");
            assertEquals(half * cols, first.length);
            assertArrayEquals(java.util.Arrays.copyOfRange(all, 0, first.length), first);
            assertArrayEquals(java.util.Arrays.copyOfRange(all, first.length, all.length), second);
            int size = store.info(CONV).dtype().size();
            assertEquals(second.length * (long) size, view.bytes("second").remaining());
            assertEquals(store.bytes(CONV).duplicate().position(store.bytes(CONV).position() + first.length * size)
                    .slice(), view.bytes("second"));
            assertEquals(all.length, view.parameterCount());
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> TensorView.of(store).slice("past", CONV, half * cols + 1, rows - half, cols));
            assertTrue(e.getMessage().contains("has no elements"), e.getMessage());
        }
    }
}
