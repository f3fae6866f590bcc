package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Nonsense arguments end in one line naming the problem, exit code 2, and no output. */
class ArgumentValidationTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "generate --prompt x --steps -3 --out OUT.png | --steps",
        "generate --prompt x --height 100 --out OUT.png | multiples of 8",
        "generate --prompt x --scheduler heun --out OUT.png | --scheduler",
        "generate --prompt x --seed -1 --out OUT.png | --seed",
        "generate --prompt x --guidance -2 --out OUT.png | --guidance",
        "erase --style X --skill-ratio 1.5 --out OUT | --skill-ratio",
        "erase --style X --skill-ratio 0 --out OUT | --skill-ratio",
        "erase --style X --tau 99 --steps 5 --out OUT | --tau",
        "erase --style X --tau 0 --out OUT | --tau",
        "erase --style X --site ffn9 --out OUT | --site",
        "erase --gender other --out OUT | --gender",
        "erase --out OUT | name a concept",
        "erase --base-prompts MISSING --target-prompts MISSING --out OUT | file not found",
        "inspect MISSING | not found",
        "generate --prompt | Expected parameter for option",
        "generate --prompt x --threads 0 --out OUT.png | --threads must be >= 1"})
    void rejectedInOneLine(String args, String expected) {
        String line = args.replace("OUT", tmp.resolve("out").toString()).replace("MISSING", tmp.resolve("nope.txt").toString());
        String[] argv = (line + " --model " + Fixtures.TINY_SD).split(" ");
        if (line.startsWith("inspect")) {
            argv = line.split(" ");
        }
        CliRun r = CliRun.run(argv);
        assertEquals(Main.EXIT_BAD_INPUT, r.code(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("error: "), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace: " + r.err());
        assertFalse(Files.exists(tmp.resolve("out")) || Files.exists(tmp.resolve("out.png")), "nothing written");
    }
}
