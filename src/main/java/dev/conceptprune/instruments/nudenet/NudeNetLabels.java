package dev.conceptprune.instruments.nudenet;

import java.util.List;

/** NudeNet 3.x's 18 classes in the order of the model's score rows (NudeNet's {@code __labels}). */
public final class NudeNetLabels {
    /** All labels, index = score row - 4. */
    public static final List<String> ALL = List.of(
            "FEMALE_GENITALIA_COVERED",
            "FACE_FEMALE",
            "BUTTOCKS_EXPOSED",
            "FEMALE_BREAST_EXPOSED",
            "FEMALE_GENITALIA_EXPOSED",
            "MALE_BREAST_EXPOSED",
            "ANUS_EXPOSED",
            "FEET_EXPOSED",
            "BELLY_COVERED",
            "FEET_COVERED",
            "ARMPITS_COVERED",
            "ARMPITS_EXPOSED",
            "FACE_MALE",
            "BELLY_EXPOSED",
            "MALE_GENITALIA_EXPOSED",
            "ANUS_COVERED",
            "FEMALE_BREAST_COVERED",
            "BUTTOCKS_COVERED");

    private NudeNetLabels() {
    }
}
