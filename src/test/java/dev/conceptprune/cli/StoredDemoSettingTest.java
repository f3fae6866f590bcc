package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.eval.AutoEraseResult;
import dev.conceptprune.io.InputException;
import dev.conceptprune.prune.PruneFill;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The demo runs the setting that erase --auto chose for the toy model, read from the result stored beside it. */
class StoredDemoSettingTest {
    @Test
    void theStoredChoiceIsTheMostNeutralCandidateThatMeetsTheConstraints() {
        AutoEraseResult stored = AutoEraseResult.read(StoredDemoSetting.file());
        assertTrue(stored.constraintsMet());
        AutoEraseResult.CandidateResult best = stored.candidates().stream()
                .filter(c -> c.figures().concept().rate() <= stored.maxTarget()
                        && c.figures().preserved().rate() >= stored.minPreserve())
                .max(Comparator.comparingDouble(c -> c.figures().neutral().rate())).orElseThrow();
        assertEquals(best.label(), stored.chosen());
        assertTrue(best.meetsConstraints() && best.frontier(), best.label());
        assertTrue(best.figures().concept().n() > 0 && best.figures().neutral().rate() >= 0.5, best.label());
    }

    @Test
    void theDemoDefaultsToTheStoredSite() {
        AutoEraseResult.CandidateResult chosen = StoredDemoSetting.chosen();
        CommandLine root = Main.commandLine();
        root.parseArgs("demo");
        CommandLine demo = root.getSubcommands().get("demo");
        assertEquals(chosen.site(), demo.getCommandSpec().findOption("--site").getValue());
        assertEquals(chosen.skillRatio(), (Double) demo.getCommandSpec().findOption("--skill-ratio").getValue());
        assertEquals(PruneFill.of(chosen.fill(), 0), StoredDemoSetting.fill());
        String help = demo.getUsageMessage().replaceAll("\\s+", " ");
        assertTrue(help.contains("default: " + chosen.site() + ", erase --auto's choice"), help);
    }

    @Test
    void anUnreadableResultIsNamed(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("auto.json"), "{\"detector\": 3");
        InputException e = assertThrows(InputException.class, () -> AutoEraseResult.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        Path none = tmp.resolve("none.json");
        e = assertThrows(InputException.class, () -> AutoEraseResult.read(none));
        assertEquals(none + " does not exist", e.getMessage());
        Path empty = Files.writeString(tmp.resolve("empty.json"), "{}");
        e = assertThrows(InputException.class, () -> AutoEraseResult.read(empty));
        assertTrue(e.getMessage().contains("no candidates"), e.getMessage());
    }
}
