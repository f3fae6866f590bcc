package dev.conceptprune.pipeline;

import dev.conceptprune.runtime.SeededNoise;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuidanceBatchTest {
    @Test
    void unconditionalRowsComeFirst() {
        GuidanceBatch b = new GuidanceBatch(List.of("a", "b"), "neg", 7.5);
        assertEquals(4, b.rows());
        assertEquals(List.of("neg", "neg", "a", "b"), b.texts());
        assertArrayEquals(new int[] {0, 1, 0, 1}, b.perRow(new int[] {0, 1}));
    }

    @Test
    void theSecondEncoderReadsItsOwnTextsDefaultingToTheFirst() {
        GuidanceBatch same = new GuidanceBatch(List.of("a", "b"), "neg", 7.5);
        assertEquals(same.texts(), same.secondTexts());
        GuidanceBatch own = new GuidanceBatch(List.of("a", "b"), "neg", 7.5, "p2", "n2");
        assertEquals(List.of("n2", "n2", "p2", "p2"), own.secondTexts());
        assertEquals(List.of("neg", "neg", "a", "b"), own.texts());
        assertTrue(new GuidanceBatch(List.of("a"), "", 7.5, "p2", null).negativeAbsent());
        assertFalse(new GuidanceBatch(List.of("a"), "", 7.5, null, "n2").negativeAbsent());
        assertFalse(same.negativeAbsent());
    }

    @Test
    void sdxlTimeIdsAreOriginalSizeCropAndTargetSize() {
        assertArrayEquals(new float[] {64, 96, 0, 0, 64, 96}, SdxlConditions.NONE.timeIds(64, 96));
        SdxlConditions c = new SdxlConditions(null, null, new int[] {1024, 768}, new int[] {16, 8}, new int[] {512, 640});
        assertArrayEquals(new float[] {1024, 768, 16, 8, 512, 640}, c.timeIds(64, 96));
        assertFalse(c.isDefault());
        assertTrue(SdxlConditions.NONE.isDefault());
    }

    @Test
    void withoutGuidanceOnlyTheConditionalRowsRun() {
        GuidanceBatch b = new GuidanceBatch(List.of("a", "b"), "neg", 1.0);
        assertEquals(2, b.rows());
        assertEquals(List.of("a", "b"), b.texts());
        assertArrayEquals(new int[] {1, 0}, b.perRow(new int[] {1, 0}));
    }

    @Test
    void guidanceMixesTheHalves() {
        try (NDManager m = NDManager.newBaseManager()) {
            GuidanceBatch b = new GuidanceBatch(List.of("a"), "", 3.0);
            NDArray x = m.create(new float[] {1, 2}, new Shape(1, 2));
            assertEquals(new Shape(2, 2), b.input(x).getShape());
            NDArray noise = m.create(new float[] {1, 2, 2, 4}, new Shape(2, 2));
            assertArrayEquals(new float[] {4, 8}, b.guide(noise));
        }
    }

    @Test
    void seededLatentsAreOneDrawPerSeed() {
        Shape one = new Shape(1, 4, 2, 2);
        float[] both = SeededNoise.drawEach(List.of(3L, 5L), one);
        float[] first = SeededNoise.draw(3, one);
        float[] second = SeededNoise.draw(5, one);
        assertEquals(32, both.length);
        assertArrayEquals(first, java.util.Arrays.copyOfRange(both, 0, 16));
        assertArrayEquals(second, java.util.Arrays.copyOfRange(both, 16, 32));
    }
}
