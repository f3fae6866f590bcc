package dev.conceptprune.toyworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import dev.conceptprune.prune.PruneFill;
import dev.conceptprune.prune.PruneSite;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The demo refuses what it cannot run (an unknown concept, an empty prompt limit) when it is asked. */
class DemoRequestTest {
    private static final Path MODEL = Path.of("models/toyworld/model");
    private static final Path PROMPTS = Path.of("models/toyworld/prompts");

    private static DemoRequest request(String concept, Integer limit) {
        return new DemoRequest(MODEL, PROMPTS, concept, List.of(new DemoSetting(PruneSite.ATTN2_V, 0.4, 1)), 25, 7.5,
                8, limit, 1, PruneFill.ZERO, null, Path.of("unused"), false);
    }

    @Test
    void anUnknownConceptIsRefusedWithTheToyWorldsConcepts() {
        InputException e = assertThrows(InputException.class, () -> request("unicorn", null));
        assertEquals("the toy world has no concept 'unicorn'; its concepts are checkers, circle, cross, heart, polka, "
                + "square, star, stripes, triangle, waves", e.getMessage());
        assertEquals("Stripes", request("Stripes", null).concept(), "any case names a concept");
    }

    @Test
    void aLimitBelowOneIsRefused() {
        InputException e = assertThrows(InputException.class, () -> request("Stripes", 0));
        assertTrue(e.getMessage().startsWith("the prompt limit must be >= 1"), e.getMessage());
        assertEquals(1, request("star", 1).limit());
    }

    @Test
    void theToyWorldIsRecognisedByThePromptListsBesideItsModel() {
        assertEquals(Optional.of(PROMPTS.toAbsolutePath()), ToyWorldPrompts.of(MODEL));
        assertEquals(Optional.empty(), ToyWorldPrompts.of(Path.of("src/test/resources/fixtures/tiny-sd")));
    }
}
