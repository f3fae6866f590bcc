package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConceptTest {
    private static Concept named(String kind, String name) {
        return new Concept(name, kind, List.of(new PromptPair("a photo", "a photo by " + name, 0)), 0.01);
    }

    @Test
    void slugTransliteratesLatinAccentsAndKeepsOtherScripts() {
        assertEquals("van-gogh", Concept.slug("Van Gogh"));
        assertEquals("cafe-n", Concept.slug("Café Ñ"));
        assertEquals("cafe", Concept.slug("Cafe\u0301"), "decomposed input gives the same slug as composed");
        assertEquals("梵高", Concept.slug("梵高"));
        assertEquals("葛飾北斎", Concept.slug("葛飾北斎"));
        assertEquals("кандинский", Concept.slug("Кандинский"));
        assertEquals("कृष्ण", Concept.slug("कृष्ण"), "Devanagari vowel signs are part of the letters");
        assertEquals("ø-łodz-straße", Concept.slug("Ø Łódź Straße"));
        assertEquals("a-b-1", Concept.slug("  A -- b / 1!  "));
        assertEquals("concept", Concept.slug("?!"));
    }

    @Test
    void slugFitsInAFileName() {
        String slug = Concept.slug("画".repeat(200));
        assertTrue(slug.getBytes(StandardCharsets.UTF_8).length <= Concept.MAX_SLUG_BYTES, slug);
        assertTrue((slug + ".r0.005-t10.mask.safetensors").getBytes(StandardCharsets.UTF_8).length <= 255);
    }

    @Test
    void differentConceptsGetDifferentStableNames() {
        assertNotEquals(Concept.slug("梵高"), Concept.slug("莫奈"));
        assertNotEquals(Concept.slug("Café"), Concept.slug("Cafe Ñ"));
        assertEquals(Concept.slug("Café Ñ"), Concept.slug("Café Ñ"));
        assertDoesNotThrow(() -> Concept.requireDistinct(List.of(named("style", "梵高"), named("style", "莫奈"),
                named("style", "Monet"), named("object", "parachute"))));
    }

    @Test
    void theSameConceptTwiceIsRefusedNamingBoth() {
        InputException e = assertThrows(InputException.class,
                () -> Concept.requireDistinct(List.of(named("style", "Van Gogh"), named("style", "van-gogh"))));
        assertEquals("the style concept 'Van Gogh' is given twice (as 'Van Gogh' and 'van-gogh'); name it once",
                e.getMessage());
        assertThrows(InputException.class,
                () -> Concept.requireDistinct(List.of(named("style", "VanGogh"), named("style", "van gogh"))));
    }

    @Test
    void differentConceptsWithTheSameFileNameAreRefusedNamingBoth() {
        InputException e = assertThrows(InputException.class,
                () -> Concept.requireDistinct(List.of(named("style", "Monet"), named("object", "monet"))));
        assertEquals("concepts 'Monet' (style) and 'monet' (object) would both write monet.mask.safetensors;"
                + " rename one", e.getMessage());
        String nothingLeft = assertThrows(InputException.class,
                () -> Concept.requireDistinct(List.of(named("style", "?!"), named("object", "¿¡")))).getMessage();
        assertTrue(nothingLeft.contains("would both write concept.mask.safetensors"), nothingLeft);
    }

    @Test
    void identicalBaseAndTargetPromptsAreRefused() {
        List<PromptPair> same = List.of(new PromptPair("a cat", "a cat", 0), new PromptPair("a dog", "a dog", 1));
        InputException e = assertThrows(InputException.class, () -> new Concept("pets", "prompts", same, 0.01));
        assertEquals("base and target prompts are identical for concept pets; nothing to contrast", e.getMessage());
        assertDoesNotThrow(() -> new Concept("pets", "prompts",
                List.of(new PromptPair("a cat", "a cat", 0), new PromptPair("a dog", "a wolf", 1)), 0.01));
    }
}
