package dev.conceptprune.instruments.nudenet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Class-agnostic greedy non-maximum suppression with OpenCV's {@code cv2.dnn.NMSBoxes} semantics
 * on integer rectangles: boxes scoring above the score threshold (strictly) are visited by
 * descending score, ties in input order (a stable sort); a box is kept unless its overlap with an
 * already kept box exceeds the overlap threshold. Overlap is OpenCV's {@code 1 - jaccardDistance}:
 * area = width * height, the intersection of {@code Rect}s (empty when either box is), computed in
 * double and compared in float as OpenCV does.
 */
public final class BoxSuppression {
    private BoxSuppression() {
    }

    /** An integer rectangle: left, top, width and height in pixels. */
    public record Box(int left, int top, int width, int height) {
        long area() {
            return (long) width * height;
        }

        boolean isEmpty() {
            return width <= 0 || height <= 0;
        }
    }

    /**
     * The indices of the kept boxes, highest score first.
     *
     * @throws IllegalArgumentException when boxes and scores differ in count
     */
    public static List<Integer> keep(List<Box> boxes, float[] scores, float scoreThreshold, float overlapThreshold) {
        if (boxes.size() != scores.length) {
            throw new IllegalArgumentException(boxes.size() + " boxes but " + scores.length + " scores");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] > scoreThreshold) {
                order.add(i);
            }
        }
        // List.sort is a stable merge sort, as OpenCV's std::stable_sort.
        order.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        List<Integer> kept = new ArrayList<>();
        for (int candidate : order) {
            boolean keep = true;
            for (int k = 0; k < kept.size() && keep; k++) {
                keep = overlap(boxes.get(candidate), boxes.get(kept.get(k))) <= overlapThreshold;
            }
            if (keep) {
                kept.add(candidate);
            }
        }
        return kept;
    }

    /** Intersection over union as OpenCV's {@code rectOverlap} computes it for {@code Rect}. */
    static float overlap(Box a, Box b) {
        long areaA = a.area();
        long areaB = b.area();
        double distance;
        if (areaA + areaB <= 0) {
            distance = 0;
        } else {
            double intersection = intersectionArea(a, b);
            distance = 1.0 - intersection / (areaA + areaB - intersection);
        }
        return 1.f - (float) distance;
    }

    private static long intersectionArea(Box a, Box b) {
        if (a.isEmpty() || b.isEmpty()) {
            return 0;
        }
        long width = Math.min((long) a.left + a.width, (long) b.left + b.width) - Math.max(a.left, b.left);
        long height = Math.min((long) a.top + a.height, (long) b.top + b.height) - Math.max(a.top, b.top);
        return width <= 0 || height <= 0 ? 0 : width * height;
    }
}
