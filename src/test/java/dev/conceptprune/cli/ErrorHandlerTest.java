package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How mistakes on the command line itself are reported: the real mistake first, with a suggestion. */
class ErrorHandlerTest {
    @Test
    void aNearMissOfACommandNameSuggestsTheCommand() {
        CliRun r = CliRun.run("erse", "--style", "X");
        assertEquals(ErrorHandler.BAD_INPUT, r.code());
        assertEquals(List.of("error: unknown command 'erse'", "Did you mean: erase?"), r.err().lines().toList());
    }

    @Test
    void anUnknownCommandWithoutNearMissPointsToTheHelp() {
        CliRun r = CliRun.run("frobnicate");
        assertEquals(ErrorHandler.BAD_INPUT, r.code());
        assertEquals(List.of("error: unknown command 'frobnicate'", "Try 'conceptprune --help' for usage."),
                r.err().lines().toList());
    }

    @Test
    void onlyPrefixesAndNamesAFewTyposAwayAreSuggested() {
        assertTrue(ErrorHandler.nearMiss("--stlye", "--style"));
        assertTrue(ErrorHandler.nearMiss("gen", "generate"));
        assertFalse(ErrorHandler.nearMiss("frobnicate", "generate"));
        assertFalse(ErrorHandler.nearMiss("--out-dir", "--guidance"));
    }

    @Test
    void anUnknownOptionIsReportedBeforeMissingRequiredOptions() {
        CliRun r = CliRun.run("eval", "--modle", "x");
        assertEquals(ErrorHandler.BAD_INPUT, r.code());
        assertEquals(List.of("error: unknown option '--modle' (did you mean --model?)",
                "Try 'conceptprune eval --help' for usage."), r.err().lines().toList());
    }

    @Test
    void missingRequiredOptionsAreStillReportedWhenNothingIsUnknown() {
        CliRun r = CliRun.run("generate", "--prompt", "x");
        assertEquals(ErrorHandler.BAD_INPUT, r.code());
        assertEquals(List.of("error: Missing required option: '--out=FILE'",
                "Try 'conceptprune generate --help' for usage."), r.err().lines().toList());
    }
}
