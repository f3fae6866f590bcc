package dev.conceptprune.instruments.imagenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageNetteTest {
    @Test
    void theTenClassesHaveTheirImageNetIndices() {
        int[] expected = {0, 217, 482, 491, 497, 566, 569, 571, 574, 701};
        ImageNette[] classes = ImageNette.values();
        assertEquals(expected.length, classes.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], classes[i].index());
            assertEquals(Optional.of(classes[i]), ImageNette.byIndex(expected[i]));
            assertEquals(classes[i], ImageNette.byName(classes[i].label()));
        }
        assertEquals(Optional.empty(), ImageNette.byIndex(1));
    }

    @Test
    void namesMatchLeniently() {
        for (String name : new String[] {"garbage truck", "garbage_truck", "Garbage Truck", "GARBAGE-TRUCK", " garbage  truck "}) {
            assertEquals(ImageNette.GARBAGE_TRUCK, ImageNette.byName(name), name);
        }
        assertEquals(ImageNette.CHAIN_SAW, ImageNette.byName("chainsaw"));
        assertEquals(ImageNette.ENGLISH_SPRINGER, ImageNette.byName("english_springer"));
        assertEquals("French horn", ImageNette.FRENCH_HORN.label());
    }

    @Test
    void unknownNameListsTheClasses() {
        InputException e = assertThrows(InputException.class, () -> ImageNette.byName("golden retriever"));
        assertTrue(e.getMessage().contains("'golden retriever'") && e.getMessage().contains("parachute"), e.getMessage());
    }
}
