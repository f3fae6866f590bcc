package dev.conceptprune.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.io.WeightFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTokenizerTest {
    private static final Path LEGACY = Fixtures.ROOT.resolve("tokenizer");
    private static final Path MODERN = Fixtures.TINY_SD.resolve("tokenizer");

    private static ClipTokenizer tokenizer;
    private static List<JsonObject> cases;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = ClipTokenizer.load(LEGACY);
        JsonObject json = JsonParser.parseString(
                Files.readString(LEGACY.resolve("cases.json"), StandardCharsets.UTF_8)).getAsJsonObject();
        cases = new ArrayList<>();
        for (JsonElement c : json.getAsJsonArray("cases")) {
            cases.add(c.getAsJsonObject());
        }
    }

    @Test
    void reproducesEveryReferenceCase() {
        List<String> failures = new ArrayList<>();
        for (JsonObject c : cases) {
            String prompt = c.get("prompt").getAsString();
            List<String> wrong = new ArrayList<>();
            if (!Arrays.equals(ints(c.getAsJsonArray("input_ids")), tokenizer.encode(prompt))) {
                wrong.add("input_ids");
            }
            if (!Arrays.equals(ints(c.getAsJsonArray("untruncated_ids")), tokenizer.encodeUntruncated(prompt))) {
                wrong.add("untruncated_ids");
            }
            if (!strings(c.getAsJsonArray("tokens")).equals(tokenizer.tokens(prompt))) {
                wrong.add("tokens " + tokenizer.tokens(prompt));
            }
            if (!wrong.isEmpty()) {
                failures.add(escape(prompt) + ": " + wrong);
            }
        }
        assertEquals(45, cases.size(), "case count");
        assertTrue(failures.isEmpty(), failures.size() + " case(s) differ:\n" + String.join("\n", failures));
    }

    @Test
    void checkPromptAndSpecialIds() {
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407},
                tokenizer.encodeUntruncated("a photo of a cat"));
        assertEquals(77, tokenizer.maxLength());
        assertEquals(49406, tokenizer.bosId());
        assertEquals(49407, tokenizer.eosId());
        assertEquals(49407, tokenizer.padId());
        assertEquals(49408, tokenizer.vocabSize());
    }

    @Test
    void aModelSourceServesTheSameTokenizerAsItsFolder() {
        ClipTokenizer fromSource = ClipTokenizer.load(ModelSource.open(Fixtures.TINY_SD), Component.TOKENIZER);
        ClipTokenizer fromFolder = ClipTokenizer.load(MODERN);
        assertEquals(fromFolder.padId(), fromSource.padId());
        for (JsonObject c : cases) {
            String prompt = c.get("prompt").getAsString();
            assertArrayEquals(fromFolder.encode(prompt), fromSource.encode(prompt), escape(prompt));
        }
    }

    @Test
    void legacyAndModernLayoutsAgree() {
        ClipTokenizer modern = ClipTokenizer.load(MODERN);
        assertEquals(tokenizer.maxLength(), modern.maxLength());
        assertEquals(tokenizer.bosId(), modern.bosId());
        assertEquals(tokenizer.eosId(), modern.eosId());
        assertEquals(tokenizer.padId(), modern.padId());
        assertEquals(tokenizer.vocabSize(), modern.vocabSize());
        for (JsonObject c : cases) {
            String prompt = c.get("prompt").getAsString();
            assertArrayEquals(tokenizer.encode(prompt), modern.encode(prompt), escape(prompt));
        }
    }

    @Test
    void padTokenComesFromTheConfigAndSplitsTheText(@TempDir Path dir) throws IOException {
        copyTokenizer(dir);
        Path config = dir.resolve("tokenizer_config.json");
        JsonObject json = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        json.addProperty("pad_token", "!");
        Files.writeString(config, json.toString());
        Files.delete(dir.resolve("special_tokens_map.json"));
        ClipTokenizer sd2 = ClipTokenizer.load(dir);
        assertEquals(0, sd2.padId());
        int[] ids = sd2.encode("wow!!");
        // As with SD 2's slow tokenizer: the special "!" is cut out before BPE, never merged into "!!</w>".
        assertArrayEquals(new int[] {49406, tokenizer.encodeUntruncated("wow")[1], 0, 0, 49407, 0},
                Arrays.copyOf(ids, 6));
    }

    @Test
    void missingVocabIsReportedWithTheFile(@TempDir Path dir) throws IOException {
        copyTokenizer(dir);
        Files.delete(dir.resolve("vocab.json"));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }

    @Test
    void vocabThatIsNotAnObjectIsReported(@TempDir Path dir) throws IOException {
        copyTokenizer(dir);
        Files.writeString(dir.resolve("vocab.json"), "[1, 2]");
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json") && e.getMessage().contains("not a JSON object"),
                e.getMessage());
    }

    @Test
    void corruptMergesLineIsReportedWithFileAndLine(@TempDir Path dir) throws IOException {
        String message = loadWithMergesLine(dir, 4, "t h e");
        assertTrue(message.contains("merges.txt") && message.contains("line 5"), message);
    }

    @Test
    void mergeResultMissingFromVocabIsReported(@TempDir Path dir) throws IOException {
        String message = loadWithMergesLine(dir, 1, "q j");
        assertTrue(message.contains("merges.txt") && message.contains("'qj'"), message);
    }

    /** The message of the load that fails once line {@code index} (from 0) of merges.txt is replaced. */
    private static String loadWithMergesLine(Path dir, int index, String line) throws IOException {
        copyTokenizer(dir);
        Path merges = dir.resolve("merges.txt");
        List<String> lines = new ArrayList<>(Files.readAllLines(merges, StandardCharsets.UTF_8));
        lines.set(index, line);
        Files.write(merges, lines, StandardCharsets.UTF_8);
        return assertThrows(WeightFormatException.class, () -> ClipTokenizer.load(dir)).getMessage();
    }

    private static void copyTokenizer(Path dir) throws IOException {
        for (String name : List.of("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")) {
            Files.copy(LEGACY.resolve(name), dir.resolve(name));
        }
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    /** Shows control and invisible characters of a prompt as escapes in failure messages. */
    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || Character.getType(cp) == Character.FORMAT) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }
}
