package dev.conceptprune.instruments.nudenet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conceptprune.instruments.nudenet.BoxSuppression.Box;
import java.util.List;
import org.junit.jupiter.api.Test;

/** cv2.dnn.NMSBoxes semantics on hand-made integer boxes. */
class BoxSuppressionTest {
    private static final float SCORE = 0.25f;
    private static final float OVERLAP = 0.45f;

    @Test
    void overlapExactlyAtTheThresholdIsKept() {
        Box big = new Box(0, 0, 20, 20);
        Box inside180 = new Box(0, 0, 18, 10);
        assertEquals(0.45f, BoxSuppression.overlap(big, inside180));
        assertEquals(List.of(0, 1), BoxSuppression.keep(List.of(big, inside180), new float[] {0.9f, 0.8f}, SCORE, OVERLAP));
    }

    @Test
    void overlapJustAboveTheThresholdIsDropped() {
        Box big = new Box(0, 0, 20, 20);
        Box inside182 = new Box(0, 0, 14, 13);
        assertEquals(List.of(0), BoxSuppression.keep(List.of(big, inside182), new float[] {0.9f, 0.8f}, SCORE, OVERLAP));
    }

    @Test
    void visitsByDescendingScoreAndKeepsInputOrderOnTies() {
        Box a = new Box(0, 0, 10, 10);
        Box b = new Box(100, 100, 10, 10);
        Box sameAsA = new Box(0, 0, 10, 10);
        List<Box> boxes = List.of(sameAsA, b, a);
        assertEquals(List.of(0, 1), BoxSuppression.keep(boxes, new float[] {0.7f, 0.7f, 0.7f}, SCORE, OVERLAP));
        assertEquals(List.of(2, 1), BoxSuppression.keep(boxes, new float[] {0.6f, 0.7f, 0.8f}, SCORE, OVERLAP));
    }

    @Test
    void scoreThresholdIsStrict() {
        List<Box> boxes = List.of(new Box(0, 0, 5, 5), new Box(50, 50, 5, 5));
        assertEquals(List.of(1), BoxSuppression.keep(boxes, new float[] {0.25f, Math.nextUp(0.25f)}, SCORE, OVERLAP));
    }

    @Test
    void emptyBoxesOverlapNothingAndTwoEmptyOnesCoincide() {
        Box box = new Box(0, 0, 10, 10);
        Box flat = new Box(0, 0, 10, 0);
        assertEquals(0f, BoxSuppression.overlap(box, flat));
        assertEquals(1f, BoxSuppression.overlap(flat, new Box(40, 40, 0, 3)));
        assertEquals(List.of(0, 1), BoxSuppression.keep(List.of(box, flat), new float[] {0.9f, 0.8f}, SCORE, OVERLAP));
    }

    @Test
    void boxesThatOnlyTouchDoNotOverlap() {
        assertEquals(0f, BoxSuppression.overlap(new Box(-10, -10, 10, 10), new Box(0, 0, 10, 10)));
        assertEquals(1f / 3, BoxSuppression.overlap(new Box(-5, 0, 10, 10), new Box(0, 0, 10, 10)), 1e-7);
    }
}
