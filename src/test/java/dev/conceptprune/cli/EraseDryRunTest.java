package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code erase} reports without running a discovery: the plan, the presets, its warnings. */
class EraseDryRunTest {
    @TempDir
    Path tmp;

    private Path base;
    private Path target;

    @BeforeEach
    void prompts() throws IOException {
        base = tmp.resolve("base.txt");
        target = tmp.resolve("target.txt");
        Files.write(base, List.of("a cat", "a dog", "a bird"));
        Files.write(target, List.of("a red cat", "a red dog", "a red bird"));
    }

    private CliRun dryRun(String... extra) {
        List<String> args = new ArrayList<>(List.of("erase", "--model", Fixtures.TINY_SD.toString(), "--base-prompts",
                base.toString(), "--target-prompts", target.toString(), "--steps", "20", "--batch", "4",
                "--dry-run", "--out", tmp.resolve("out").toString()));
        args.addAll(List.of(extra));
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(tmp.resolve("out")), "a dry run writes nothing");
        return r;
    }

    @Test
    void timeStepSitesPlanTauCallsPerBatchForTheLargestSweptTau() {
        CliRun r = dryRun("--tau", "4", "--sweep", "tau=3,6", "--sweep", "skill_ratio=0.01,0.02,0.05");
        // 3 pairs are 6 prompts: 2 batches of up to 4, each observed for the largest tau.
        assertTrue(r.out().contains("planned: 12 UNet calls (2 batches of up to 4 prompts x tau 6)"), r.out());
        assertTrue(r.out().contains("sweep: 6 settings from this discovery (skill ratio 0.01, 0.02, 0.05 x tau 3, 6)"),
                r.out());
        assertEquals("", r.err());
    }

    @Test
    void textSitesPlanNoUnetCallsAndSayThatTauHasNoEffect() {
        for (String site : List.of("attn2-v", "text-mlp")) {
            CliRun r = dryRun("--site", site, "--sweep", "tau=3,6", "--sweep", "skill-ratio=0.01,0.02");
            assertTrue(r.out().contains("planned: 0 UNet calls (2 text-encoder batches of up to 4 prompts; site "
                    + site + " depends on the prompt only)"), r.out());
            assertTrue(r.out().contains("sweep: 2 settings from this discovery (skill ratio 0.01, 0.02)"), r.out());
            assertEquals(List.of("warning: --sweep tau has no effect: site " + site
                    + " depends on the prompt only, not on the time step"), r.err().lines().toList());
        }
    }

    @Test
    void bothSpellingsOfASweepKeyMeanTheSameSetting() {
        String dashed = dryRun("--sweep", "skill-ratio=0.02,0.04").out();
        String underscored = dryRun("--sweep", "skill_ratio=0.02,0.04").out();
        assertEquals(dashed, underscored);
        assertTrue(dashed.contains("skill ratio 0.02, 0.04 x tau 10"), dashed);
    }

    @Test
    void listPresetsNeedsNoOutputFolderNorModel() {
        CliRun r = CliRun.run("erase", "--list-presets");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--style ARTIST") && r.out().contains("\"a cat in the style of ARTIST\"")
                && r.out().contains("Van Gogh, Monet"), r.out());
        assertTrue(r.out().contains("--object NAME") && r.out().contains("garbage truck"), r.out());
        assertTrue(r.out().contains("--nudity") && r.out().contains("--gender female"), r.out());
        assertTrue(r.out().contains("stripes_base.txt") || r.out().contains("CONCEPT_base.txt, CONCEPT_target.txt"),
                "points to the toy world's prompt lists: " + r.out());
        assertEquals("", r.err());
    }

    @Test
    void aPresetOnTheToyWorldModelWarnsOnceAndPointsToItsPromptLists() {
        CliRun r = CliRun.run("erase", "--model", Fixtures.TOYWORLD.toString(), "--style", "Van Gogh", "--steps", "5",
                "--tau", "2", "--dry-run", "--out", tmp.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("warning: ") && lines.get(0).contains("outside the toy world's captions")
                && lines.get(0).contains(Path.of("models/toyworld/prompts/stripes_base.txt").toAbsolutePath()
                        .toString()), lines.get(0));
    }

    @Test
    void theToyWorldsOwnPromptListsAndOtherModelsGetNoWarning() {
        Path prompts = Path.of("models/toyworld/prompts");
        CliRun toy = CliRun.run("erase", "--model", Fixtures.TOYWORLD.toString(), "--base-prompts",
                prompts.resolve("stripes_base.txt").toString(), "--target-prompts",
                prompts.resolve("stripes_target.txt").toString(), "--steps", "5", "--tau", "2", "--dry-run", "--out",
                tmp.resolve("out").toString());
        assertEquals(0, toy.code(), toy.err());
        assertEquals("", toy.err());
        CliRun other = CliRun.run("erase", "--model", Fixtures.TINY_SD.toString(), "--style", "Van Gogh", "--dry-run",
                "--out", tmp.resolve("out").toString());
        assertEquals(0, other.code(), other.err());
        assertEquals("", other.err());
    }
}
