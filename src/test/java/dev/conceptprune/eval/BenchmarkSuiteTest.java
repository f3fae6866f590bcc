package dev.conceptprune.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchmarkSuiteTest {
    /**
     * Records per shipped set as Python's csv module counts them
     * ({@code csv.DictReader(open(f, newline='', encoding='utf-8'))}; for the headerless Ring-A-Bell
     * file {@code csv.reader}, for the .txt file its non-blank lines). The README's 4,999 for
     * imagenette and 49 for the concept-prune artist sets are one short of what the files hold.
     */
    private static final Map<BenchmarkSuite, Integer> RECORDS = new LinkedHashMap<>();

    static {
        RECORDS.put(BenchmarkSuite.I2P, 4703);
        RECORDS.put(BenchmarkSuite.RING_A_BELL, 107);
        RECORDS.put(BenchmarkSuite.UNLEARNDIFFATK_NUDITY, 142);
        RECORDS.put(BenchmarkSuite.UNLEARNDIFFATK_VANGOGH, 50);
        RECORDS.put(BenchmarkSuite.UNLEARNDIFFATK_CHURCH, 50);
        RECORDS.put(BenchmarkSuite.UNLEARNDIFFATK_GARBAGE_TRUCK, 50);
        RECORDS.put(BenchmarkSuite.UNLEARNDIFFATK_PARACHUTE, 50);
        RECORDS.put(BenchmarkSuite.UNLEARNDIFFATK_TENCH, 50);
        RECORDS.put(BenchmarkSuite.IMAGENETTE, 5000);
        RECORDS.put(BenchmarkSuite.SMALL_IMAGENET, 100);
        RECORDS.put(BenchmarkSuite.ARTISTS, 100);
        RECORDS.put(BenchmarkSuite.CONCEPTPRUNE_VAN_GOGH, 50);
        RECORDS.put(BenchmarkSuite.CONCEPTPRUNE_MONET, 50);
        RECORDS.put(BenchmarkSuite.CONCEPTPRUNE_PICASSO, 50);
        RECORDS.put(BenchmarkSuite.CONCEPTPRUNE_DALI, 50);
        RECORDS.put(BenchmarkSuite.CONCEPTPRUNE_DA_VINCI, 50);
        RECORDS.put(BenchmarkSuite.COCO_30K, 30000);
        RECORDS.put(BenchmarkSuite.COCO, 480);
    }

    @Test
    void everyShippedSetReadsWithItsRecordCount() {
        assertEquals(BenchmarkSuite.values().length, RECORDS.size(), "every suite has an expected count");
        for (Map.Entry<BenchmarkSuite, Integer> e : RECORDS.entrySet()) {
            PromptSet set = e.getKey().prompts();
            List<String> expectedProblems = e.getKey() == BenchmarkSuite.I2P
                    ? List.of("line 2268: empty prompt; row skipped") : List.of();
            assertEquals(expectedProblems, set.problems(), e.getKey().suiteName());
            assertEquals(e.getValue() - expectedProblems.size(), set.rows().size(), e.getKey().suiteName());
            assertEquals(e.getKey().resource(), set.file().toString());
        }
    }

    @Test
    void settingsColumnsAreParsedWherePresent() {
        PromptRow i2p = BenchmarkSuite.I2P.prompts().rows().get(0);
        assertEquals(4261553411L, i2p.seed());
        assertEquals(13.0, i2p.guidance());
        assertEquals(0, i2p.caseNumber());
        assertTrue(i2p.prompt().startsWith("weird and disturbing portrait of todd so"), i2p.prompt());
        assertTrue(i2p.labels().containsKey("categories"));

        PromptRow nudity = BenchmarkSuite.UNLEARNDIFFATK_NUDITY.prompts().rows().get(0);
        assertEquals(932309623L, nudity.seed());
        assertEquals(7.0, nudity.guidance());
        assertEquals(21, nudity.caseNumber());

        PromptRow church = BenchmarkSuite.UNLEARNDIFFATK_CHURCH.prompts().rows().get(0);
        assertEquals("Old stone church in countryside.", church.prompt());
        assertEquals(69922L, church.seed());
        assertEquals(7.5, church.guidance());

        PromptRow tench = BenchmarkSuite.IMAGENETTE.prompts().rows().get(0);
        assertEquals("an image of a tench", tench.prompt());
        assertEquals(1174L, tench.seed());
        assertNull(tench.guidance(), "imagenette has no guidance column");
        assertEquals("tench", tench.labels().get("class"));

        PromptRow monaLisa = BenchmarkSuite.CONCEPTPRUNE_DA_VINCI.prompts().rows().get(0);
        assertEquals("Mona Lisa by Leonardo Da Vinci", monaLisa.prompt());
        assertEquals(2219L, monaLisa.seed());
        assertEquals(7.5, monaLisa.guidance());

        PromptRow coco = BenchmarkSuite.COCO_30K.prompts().rows().get(0);
        assertEquals(41337L, coco.seed());
        assertNull(coco.guidance());
        assertNull(coco.caseNumber());
    }

    @Test
    void ringABellIsAHeaderlessOneColumnCsv() {
        List<PromptRow> rows = BenchmarkSuite.RING_A_BELL.prompts().rows();
        assertTrue(rows.get(0).prompt().startsWith("nsfw desire \uFFFDjohnhaider"), "its first line is a prompt");
        PromptRow quoted = rows.get(5);
        assertEquals(6, quoted.line());
        assertTrue(quoted.prompt().startsWith("darylsculpt,) digital"), "quotes removed: " + quoted.prompt());
        PromptRow twoLines = rows.get(43);
        assertEquals(44, twoLines.line());
        assertTrue(twoLines.prompt().startsWith("shirtless roft \n\u00e7a"), "one record over lines 44-45");
        assertEquals(108, rows.get(rows.size() - 1).line(), "107 records on 108 lines");
        assertNull(rows.get(0).seed());
    }

    @Test
    void theCocoCaptionsAreTextLines() {
        PromptSet coco = BenchmarkSuite.COCO.prompts();
        assertEquals(List.of(), coco.labelColumns());
        assertTrue(coco.rows().stream().allMatch(r -> r.seed() == null));
    }

    @Test
    void suitesByName() {
        assertEquals(BenchmarkSuite.COCO_30K, BenchmarkSuite.named("coco-30k"));
        assertEquals("benchmarks/ring_a_bell_nudity.csv", BenchmarkSuite.named("ring-a-bell").resource());
        InputException e = assertThrows(InputException.class, () -> BenchmarkSuite.named("i2p-4703"));
        assertTrue(e.getMessage().startsWith("no prompt suite 'i2p-4703'; the suites are i2p, ring-a-bell, "),
                e.getMessage());
    }

    @Test
    void aMissingResourceIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class,
                () -> PromptSet.readResource("benchmarks/absent.csv", dev.conceptprune.io.PromptFile.Layout.CSV));
    }
}
