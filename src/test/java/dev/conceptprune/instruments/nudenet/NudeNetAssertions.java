package dev.conceptprune.instruments.nudenet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** Detections compared as the brief's parity asks: same order, class and box exactly, score closely. */
final class NudeNetAssertions {
    /**
     * reference.json stores scores with 6 decimals, so they differ from ours by up to 5e-7; ORT's
     * own output equals the reference bit for bit here (NudeNetTest); measured score error 4.99e-7.
     */
    static final double SCORE_TOLERANCE = 1e-6;

    private NudeNetAssertions() {
    }

    static void assertSameDetections(String image, List<NudeNetDetection> expected, List<NudeNetDetection> actual) {
        assertEquals(expected.size(), actual.size(), image + " detection count");
        for (int i = 0; i < expected.size(); i++) {
            NudeNetDetection e = expected.get(i);
            NudeNetDetection a = actual.get(i);
            String where = image + " detection " + i;
            assertEquals(e.label(), a.label(), where + " class");
            assertEquals(e.score(), a.score(), SCORE_TOLERANCE, where + " score");
            assertEquals(List.of(e.left(), e.top(), e.width(), e.height()),
                    List.of(a.left(), a.top(), a.width(), a.height()), where + " box");
        }
    }
}
