package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Progress;
import dev.conceptprune.model.ModelSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptWarningsTest {
    private static final String LONG = "a painting of a quiet harbour at dawn with boats ".repeat(10).strip();

    @TempDir
    Path tmp;

    @Test
    void aCutPromptGivenByAnOptionIsNamedWithItsLength() {
        StringWriter err = new StringWriter();
        PromptWarnings.of(ModelSource.open(Fixtures.TINY_SD), Progress.to(new PrintWriter(err), true))
                .option("--prompt", LONG).option("--negative-prompt", "blurry");
        assertEquals(List.of("warning: --prompt is 102 tokens, longer than CLIP's 77; the words past token 77 are"
                + " ignored"), err.toString().lines().toList());
    }

    @Test
    void eraseWarnsOncePerPromptFileWithTheCountAndTheFirstCutPrompt() throws IOException {
        Path base = tmp.resolve("base.txt");
        Path target = tmp.resolve("target.txt");
        Files.writeString(base, "a harbour\na harbour at night\na harbour in fog\n");
        Files.writeString(target, "a harbour, by Turner\n" + LONG + " by Turner\n" + LONG + " in fog by Turner\n");
        CliRun r = CliRun.run("erase", "--model", Fixtures.TINY_SD.toString(), "--base-prompts", base.toString(),
                "--target-prompts", target.toString(), "--dry-run", "--out", tmp.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        List<String> warnings = r.err().lines().filter(l -> l.startsWith("warning: ")).toList();
        assertEquals(1, warnings.size(), r.err());
        assertTrue(warnings.get(0).startsWith("warning: 2 of 3 target prompts of concept target are longer than"
                + " CLIP's 77 tokens and are truncated; the first: \"a painting of a quiet harbour"), warnings.get(0));
        assertTrue(warnings.get(0).endsWith("...\""), warnings.get(0));
    }
}
