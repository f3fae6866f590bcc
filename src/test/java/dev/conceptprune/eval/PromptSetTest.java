package dev.conceptprune.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptSetTest {
    @TempDir
    Path dir;

    private PromptSet read(String name, String content) {
        return read(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private PromptSet read(String name, byte[] content) {
        try {
            Path file = dir.resolve(name);
            Files.write(file, content);
            PromptSet set = PromptSet.read(file);
            set.problems().forEach(p -> System.out.println(name + ": " + p));
            return set;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> prompts(PromptSet set) {
        return set.rows().stream().map(PromptRow::prompt).toList();
    }

    @Test
    void readsTheCommonColumns() {
        PromptSet set = read("i2p.csv", "case_number,prompt,evaluation_seed,evaluation_guidance,categories\n"
                + "0,a cat,3587541137,7.5,sexual\n"
                + "1,a dog,42.0,7,\"hate,violence\"\n");
        assertEquals(List.of(), set.problems());
        assertEquals(List.of("categories"), set.labelColumns());
        PromptRow first = set.rows().get(0);
        assertEquals(2, first.line());
        assertEquals("a cat", first.prompt());
        assertEquals(3587541137L, first.seed());
        assertEquals(7.5, first.guidance());
        assertEquals(0, first.caseNumber());
        assertEquals(Map.of("categories", "sexual"), first.labels());
        PromptRow second = set.rows().get(1);
        assertEquals(42L, second.seed(), "pandas writes a seed column with gaps as floats");
        assertEquals(7.0, second.guidance());
        assertEquals("hate,violence", second.labels().get("categories"));
    }

    @Test
    void quotedFieldsKeepCommasNewlinesAndDoubledQuotes() {
        PromptSet set = read("p.csv", "prompt,artist\r\n"
                + "\"a painting, in the style of \"\"Van Gogh\"\"\",Van Gogh\r\n"
                + "\"two\nlines\",Monet\r\n"
                + "plain,\"\"\r\n"
                + "after,x\r\n");
        assertEquals(List.of(), set.problems());
        assertEquals(List.of("a painting, in the style of \"Van Gogh\"", "two\nlines", "plain", "after"), prompts(set));
        assertEquals(List.of(2, 3, 5, 6), set.rows().stream().map(PromptRow::line).toList());
        assertEquals("", set.rows().get(2).labels().get("artist"));
    }

    @Test
    void byteOrderMarkIsTolerated() {
        PromptSet set = read("bom.csv", "\uFEFFprompt,class\na church,church\n");
        assertEquals(List.of("a church"), prompts(set));
        assertEquals(List.of("class"), set.labelColumns());
        assertEquals("church", set.rows().get(0).labels().get("class"));
    }

    @Test
    void missingOptionalColumnsGiveNulls() {
        PromptSet set = read("p.csv", "prompt\nonly a prompt\n");
        PromptRow row = set.rows().get(0);
        assertNull(row.seed());
        assertNull(row.guidance());
        assertNull(row.caseNumber());
        assertEquals(Map.of(), row.labels());
        PromptSet empty = read("q.csv", "prompt,evaluation_seed,evaluation_guidance\nx,,\n");
        assertNull(empty.rows().get(0).seed());
        assertNull(empty.rows().get(0).guidance());
    }

    @Test
    void rowsWithUnusableSettingsAreReportedWithTheirLineAndSkipped() {
        PromptSet set = read("bad.csv", "prompt,evaluation_seed,evaluation_guidance\n"
                + "good,1,7.5\n"
                + "\"spans\ntwo lines\",2,7.5\n"
                + "bad seed,abc,7.5\n"
                + "bad guidance,3,NaN\n"
                + "fractional seed,4.5,7.5\n"
                + "also good,5,\n");
        assertEquals(List.of("good", "spans\ntwo lines", "also good"), prompts(set));
        List<String> p = set.problems();
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("line 5: ") && p.get(0).contains("evaluation_seed 'abc'"), p.get(0));
        assertTrue(p.get(1).startsWith("line 6: ") && p.get(1).contains("evaluation_guidance"), p.get(1));
        assertTrue(p.get(2).startsWith("line 7: ") && p.get(2).contains("4.5"), p.get(2));
        assertEquals(8, set.rows().get(2).line());
    }

    @Test
    void brokenRecordsAreErrorsNamingFileAndLine() {
        assertEquals("line 3: expected 1 fields as in the header, found 2",
                failure("many.csv", "prompt\nfine\ntoo,many\n"));
        assertEquals("line 2: empty prompt", failure("blank.csv", "prompt,class\n  ,x\n"));
        assertEquals("line 3: quoted field is not closed before the end of the file",
                failure("open.csv", "prompt\nfine\n\"never closed\nmore\n"));
    }

    @Test
    void invalidUtf8IsAnErrorWithLineAndOffset() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("prompt,class\n".getBytes(StandardCharsets.UTF_8));
        b.writeBytes("caf\u00e9 \u2603 \uD83D\uDE00,ok\n".getBytes(StandardCharsets.UTF_8));
        int offset = b.size() + 2;
        b.writeBytes(new byte[] {'n', 'u', (byte) 0xC3, 'd', ',', 'x', '\n'});
        assertEquals("is not UTF-8 text (byte 0xC3 at line 3, byte offset " + offset + ")",
                failure("odd.csv", b.toByteArray()));
    }

    @Test
    void textFilesHaveOnePromptPerLine() {
        PromptSet set = read("prompts.txt", "prompt, with a comma\r\n\n# a comment\n  a \"quoted\" cat  \nlast");
        assertEquals(List.of("prompt, with a comma", "a \"quoted\" cat", "last"), prompts(set));
        assertEquals(List.of(1, 4, 5), set.rows().stream().map(PromptRow::line).toList());
        assertEquals(List.of(), set.labelColumns());
        assertNull(set.rows().get(0).seed());
    }

    @Test
    void csvWithoutPromptColumnNamesTheColumnsFound() {
        assertEquals("is a CSV file without a 'prompt' column (columns: a photo of a cat)",
                failure("list.csv", "\uFEFFa photo of a cat\na photo of a dog\n"));
        assertEquals("is a CSV file without a 'prompt' column (columns: case_number, text, seed)",
                failure("prompts", "case_number,text,seed\n0,a cat,1\n"));
    }

    @Test
    void headerIsMatchedIgnoringCaseAndSpaces() {
        PromptSet set = read("caps.csv", " Prompt , Evaluation_Seed ,class\nx,7,c\n");
        assertEquals(7L, set.rows().get(0).seed());
        assertEquals(List.of("class"), set.labelColumns());
    }

    @Test
    void repeatedColumnIsAnError() {
        assertEquals("column 'class' appears twice in the header", failure("dup.csv", "prompt,class,class\nx,a,b\n"));
    }

    @Test
    void fileWithoutPromptsIsAnError() {
        assertTrue(failure("empty.csv", "").startsWith("is empty"));
        assertEquals("holds no prompts, only blank lines and # comments", failure("blank.txt", "\n  \n# a note\n"));
        assertEquals("has a header but no prompt rows", failure("header.csv", "prompt,class\n\n"));
    }

    @Test
    void missingFileNamesTheFile() {
        InputException e = assertThrows(InputException.class, () -> PromptSet.read(dir.resolve("absent.csv")));
        assertEquals(dir.resolve("absent.csv") + ": file not found", e.getMessage());
    }

    /** The message of reading a bad file, without the file name it starts with. */
    private String failure(String name, String content) {
        return failure(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private String failure(String name, byte[] content) {
        InputException e = assertThrows(InputException.class, () -> read(name, content));
        String prefix = dir.resolve(name) + ": ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        return e.getMessage().substring(prefix.length());
    }
}
