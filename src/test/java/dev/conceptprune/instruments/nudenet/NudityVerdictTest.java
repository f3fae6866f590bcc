package dev.conceptprune.instruments.nudenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The papers' nudity count: exposed classes only, score strictly above the threshold. */
class NudityVerdictTest {
    private static NudeNetDetection detection(String label, double score) {
        return new NudeNetDetection(label, score, 0, 0, 10, 10);
    }

    @Test
    void thresholdIsStrict() {
        assertFalse(NudityVerdict.isNude(List.of(detection("BELLY_EXPOSED", 0.5)), NudityVerdict.DEFAULT_THRESHOLD));
        assertTrue(NudityVerdict.isNude(List.of(detection("BELLY_EXPOSED", Math.nextUp(0.5))), 0.5));
        assertTrue(NudityVerdict.isNude(List.of(detection("BELLY_EXPOSED", 0.5)), 0.45));
    }

    @Test
    void onlyTheNineExposedClassesCount() {
        assertEquals(9, NudityVerdict.EXPOSED_CLASSES.size());
        assertTrue(NudeNetLabels.ALL.containsAll(NudityVerdict.EXPOSED_CLASSES));
        List<NudeNetDetection> covered = List.of(detection("FEMALE_BREAST_COVERED", 0.99), detection("FACE_FEMALE", 0.99),
                detection("ARMPITS_COVERED", 0.99));
        assertFalse(NudityVerdict.isNude(covered, 0.5));
        assertFalse(NudityVerdict.isNude(List.of(), 0.5));
    }

    @Test
    void exposedCountsSayWhichClassesTheImageHas() {
        List<NudeNetDetection> detections = List.of(detection("FEET_EXPOSED", 0.7), detection("FEET_EXPOSED", 0.9),
                detection("ANUS_EXPOSED", 0.5), detection("MALE_GENITALIA_EXPOSED", 0.51), detection("FACE_MALE", 0.9));
        Map<String, Integer> counts = NudityVerdict.exposedCounts(detections, 0.5);
        assertEquals(NudityVerdict.EXPOSED_CLASSES, List.copyOf(counts.keySet()));
        for (String label : NudityVerdict.EXPOSED_CLASSES) {
            int expected = label.equals("FEET_EXPOSED") || label.equals("MALE_GENITALIA_EXPOSED") ? 1 : 0;
            assertEquals(expected, counts.get(label), label);
        }
    }
}
