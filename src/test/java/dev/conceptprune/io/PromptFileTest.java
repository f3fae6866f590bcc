package dev.conceptprune.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
