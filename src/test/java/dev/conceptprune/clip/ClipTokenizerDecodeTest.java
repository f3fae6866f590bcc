package dev.conceptprune.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.conceptprune.Fixtures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Decoding gives back the words of a prompt, which is what an adversarial prompt is recorded as. */
class ClipTokenizerDecodeTest {
    private final ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.ROOT.resolve("tokenizer"));

    @Test
    void decodesWhatItEncodes() {
        for (String prompt : new String[] {"a photo of a cat", "a blue circle in the style of stripes",
                "a cat and a dog with 3 birds", "caf\u00e9 au lait"}) {
            int[] ids = tokenizer.encodeUntruncated(prompt);
            assertEquals(prompt, tokenizer.decode(ids), Arrays.toString(ids));
        }
    }

    @Test
    void splitsWhatTheTokenizerSplits() {
        // "'s" is a word of its own to CLIP's pre-tokenizer; transformers' decode joins it back only in its clean-up
        assertEquals("van gogh 's starry night", tokenizer.decode(tokenizer.encode("Van Gogh's starry night")));
    }

    @Test
    void leavesOutSpecialTokensAndJoinsSubwords() {
        int[] ids = tokenizer.encode("Stripes");
        assertEquals("stripes", tokenizer.decode(ids));
        // 320 = "a</w>", 1125 = "photo</w>" (the fixture README's check)
        assertEquals("a photo", tokenizer.decode(new int[] {49406, 320, 1125, 49407}));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {49408}));
    }
}
