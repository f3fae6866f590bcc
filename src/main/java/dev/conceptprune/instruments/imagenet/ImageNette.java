package dev.conceptprune.instruments.imagenet;

import dev.conceptprune.io.InputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** ImageNette's ten ImageNet classes, the objects the ConceptPrune paper erases, with their ImageNet indices. */
public enum ImageNette {
    TENCH(0, "tench"),
    ENGLISH_SPRINGER(217, "English springer"),
    CASSETTE_PLAYER(482, "cassette player"),
    CHAIN_SAW(491, "chain saw"),
    CHURCH(497, "church"),
    FRENCH_HORN(566, "French horn"),
    GARBAGE_TRUCK(569, "garbage truck"),
    GAS_PUMP(571, "gas pump"),
    GOLF_BALL(574, "golf ball"),
    PARACHUTE(701, "parachute");

    private final int index;
    private final String label;

    ImageNette(int index, String label) {
        this.index = index;
        this.label = label;
    }

    /** The ImageNet class index. */
    public int index() {
        return index;
    }

    /** The class name as ImageNet spells it ("garbage truck"). */
    public String label() {
        return label;
    }

    /**
     * The class a name means, ignoring case, spaces, underscores and hyphens ("garbage truck",
     * "garbage_truck", "Garbage Truck", "GARBAGE-TRUCK" and "chainsaw" all match).
     *
     * @throws InputException when the name is none of the ten; the message lists them
     */
    public static ImageNette byName(String name) {
        String key = normalise(name);
        return Arrays.stream(values()).filter(c -> normalise(c.label).equals(key)).findFirst()
                .orElseThrow(() -> new InputException("'" + name + "' is not an ImageNette class; the classes are "
                        + Arrays.stream(values()).map(ImageNette::label).collect(Collectors.joining(", "))));
    }

    /** The ImageNette class with this ImageNet index, if it is one of the ten. */
    public static Optional<ImageNette> byIndex(int index) {
        return Arrays.stream(values()).filter(c -> c.index == index).findFirst();
    }

    private static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]+", "");
    }
}
