package dev.conceptprune.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptFileTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return file;
    }

    private PromptFile read(String name, String content) throws IOException {
        return PromptFile.read(write(name, content.getBytes(StandardCharsets.UTF_8)));
    }

    private String failure(Path file) {
        return assertThrows(InputException.class, () -> PromptFile.read(file)).getMessage();
    }

    @Test
    void textSkipsBlankLinesAndCommentsAndStripsPrompts() throws IOException {
        PromptFile f = read("p.txt", "  # heading\n a cat \n\n\t\n#a dog\nprompt,with,commas\n");
        assertEquals(List.of("a cat", "prompt,with,commas"), f.prompts());
        assertEquals(List.of(2, 6), f.rows().stream().map(PromptFile.Row::line).toList());
        assertEquals(List.of(), f.columns());
    }

    @Test
    void csvIsRecognisedByItsHeaderWhateverTheName() throws IOException {
        PromptFile f = read("prompts.list", "prompt,artist\n# not a comment,Monet\n");
        assertEquals(List.of("# not a comment"), f.prompts());
        assertEquals(List.of("artist"), f.columns());
        assertEquals(Map.of("artist", "Monet"), f.rows().get(0).columns());
        assertEquals(List.of("a cat, on a mat", "a dog"), read("prompts.list", "a cat, on a mat\na dog\n").prompts());
    }

    @Test
    void headerLikeFirstLineWithoutPromptColumnIsAnError() throws IOException {
        Path f = write("prompts", "text,label\na cat,cat\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(f + ": is a CSV file without a 'prompt' column (columns: text, label)", failure(f));
    }

    @Test
    void binaryAndNonUtf8FilesAreErrorsWithTheirOffset() throws IOException {
        Path nul = write("model.txt", new byte[] {'a', '\n', 'b', 0, 1, 2});
        assertEquals(nul + ": is a binary file, not text (NUL byte at line 2, byte offset 3)", failure(nul));
        Path latin1 = write("latin1.txt", "a cat\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(latin1 + ": is not UTF-8 text (byte 0xE9 at line 2, byte offset 9)", failure(latin1));
        Path cut = write("cut.txt", new byte[] {'a', (byte) 0xE2, (byte) 0x98});
        assertEquals(cut + ": is not UTF-8 text (byte 0xE2 at line 1, byte offset 1)", failure(cut));
    }

    @Test
    void emptyFilesAndFoldersAreErrors() throws IOException {
        Path empty = write("empty.txt", new byte[0]);
        assertEquals(empty + ": is empty; expected one prompt per line or a CSV file with a 'prompt' column",
                failure(empty));
        Path blank = write("blank.csv", "\n \n".getBytes(StandardCharsets.UTF_8));
        assertEquals(blank + ": holds only blank lines", failure(blank));
        assertEquals(dir + ": is a folder, not a prompt file", failure(dir));
    }

    private static PromptFile lenient(byte[] content, PromptFile.Layout layout) {
        return PromptFile.readLenient(Path.of("benchmarks/set.csv"), content, layout);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> described(PromptFile f) {
        return f.problems().stream().map(PromptFile.Problem::describe).toList();
    }

    @Test
    void lenientCsvSkipsDamagedRowsWithTheirLines() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(utf8("prompt,evaluation_seed\n"
                + "a cat,1\n"
                + "one,two,three\n"
                + ",3\n"));
        out.write(new byte[] {'c', 'a', 'f', (byte) 0xE9, ',', '4', '\n'});
        out.write(utf8("\"a quoted\nprompt\",5\n"
                + "\"open quote,6\n"
                + "a dog,7\n"));
        PromptFile f = lenient(out.toByteArray(), PromptFile.Layout.CSV);
        assertEquals(List.of("a cat", "a quoted\nprompt", "a dog"), f.prompts());
        assertEquals(List.of(2, 6, 9), f.rows().stream().map(PromptFile.Row::line).toList());
        assertEquals(List.of(
                "line 3: expected 2 fields as in the header, found 3; row skipped",
                "line 4: empty prompt; row skipped",
                "line 5: not UTF-8 text (byte 0xE9 at line 5, byte offset 51); row skipped",
                "line 8: a quoted field is not closed before the end of the file (reading resumes at line 9); row skipped"),
                described(f));
    }

    @Test
    void theSameDamageFailsAUsersFile() throws IOException {
        assertEquals(dir.resolve("a.csv") + ": line 3: expected 2 fields as in the header, found 3",
                failure(write("a.csv", utf8("prompt,seed\na,1\none,two,three\n"))));
        assertEquals(dir.resolve("b.csv") + ": line 3: quoted field is not closed before the end of the file",
                failure(write("b.csv", utf8("prompt,seed\na,1\n\"open,2\nb,3\n"))));
        assertEquals(dir.resolve("c.csv") + ": line 2: empty prompt", failure(write("c.csv", utf8("prompt,seed\n ,1\n"))));
    }

    @Test
    void aRecordSwallowingLinesIsReportedWithItsExtent() {
        PromptFile f = lenient(utf8("prompt,seed\n\"stray quote,1\nx,1\ny\",2,3\nok,3\n"), PromptFile.Layout.CSV);
        assertEquals(List.of("ok"), f.prompts());
        assertEquals(List.of("line 2: expected 2 fields as in the header, found 3 (the record runs to line 4); row skipped"),
                described(f));
    }

    @Test
    void headerlessCsvReadsEveryRecordAsAPrompt() {
        PromptFile f = lenient(utf8("plain prompt\n\"with, a comma\"\n\"two\nlines \"\"quoted\"\"\"\nlast"),
                PromptFile.Layout.HEADERLESS_CSV);
        assertEquals(List.of("plain prompt", "with, a comma", "two\nlines \"quoted\"", "last"), f.prompts());
        assertEquals(List.of(1, 2, 3, 5), f.rows().stream().map(PromptFile.Row::line).toList());
        assertEquals(List.of(), f.problems());
        assertEquals(List.of(), f.columns());
    }

    @Test
    void aHeaderlessCsvIsStillAnErrorInAUsersFile() throws IOException {
        Path f = write("ring.csv", utf8("naked statue\nnude painting\n"));
        assertEquals(f + ": is a CSV file without a 'prompt' column (columns: naked statue)", failure(f));
    }

    @Test
    void lenientTextSkipsUnreadableLinesOnly() {
        byte[] bytes = {'a', '\n', 'b', 0, '\n', (byte) 0xC3, '\n', '#', ' ', 'c', '\n', 'd'};
        PromptFile f = lenient(bytes, PromptFile.Layout.TEXT);
        assertEquals(List.of("a", "d"), f.prompts());
        assertEquals(List.of("line 2: not UTF-8 text (NUL byte at line 2, byte offset 3); row skipped",
                "line 3: not UTF-8 text (byte 0xC3 at line 3, byte offset 5); row skipped"), described(f));
    }

    @Test
    void lenientReadsStillRefuseAnUnusableHeaderOrNoPrompts() {
        InputException noColumn = assertThrows(InputException.class,
                () -> lenient(utf8("text,label\na,b\n"), PromptFile.Layout.CSV));
        assertEquals("benchmarks/set.csv: is a CSV file without a 'prompt' column (columns: text, label)",
                noColumn.getMessage());
        InputException nothing = assertThrows(InputException.class,
                () -> lenient(utf8("prompt,seed\n,1\n"), PromptFile.Layout.CSV));
        assertEquals("benchmarks/set.csv: holds no readable prompts (1 rows skipped)", nothing.getMessage());
    }
}
