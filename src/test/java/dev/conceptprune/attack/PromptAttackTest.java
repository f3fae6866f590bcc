package dev.conceptprune.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import dev.conceptprune.Fixtures;
import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.Verdict;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.GenerationSettings;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UnlearnDiffAtk over tiny-sd: outputs as eval writes them, deterministic, resumable, guarded. */
class PromptAttackTest {
    private static final List<String> PROMPTS = List.of("a photo of a cat", "a red car");
    private static final GenerationSettings SAMPLING = new GenerationSettings("", "", 2, 7.5, null, 0, 32, 32, 1,
            null);

    /** Calls an image "dark" or "light" by its mean; "light" plays the concept, which tiny-sd never draws. */
    private static final class Brightness implements Detector {
        int images;

        @Override
        public String name() {
            return "brightness";
        }

        @Override
        public String key() {
            return "brightness-test";
        }

        @Override
        public List<String> labels() {
            return List.of("dark", "light");
        }

        @Override
        public List<Verdict> detect(List<BufferedImage> batch) {
            List<Verdict> out = new ArrayList<>();
            for (BufferedImage img : batch) {
                images++;
                out.add(new Verdict(Map.of("dark", 1.0, "light", 0.0), "dark"));
            }
            return out;
        }
    }

    private static PromptAttackRequest request(Path out, int rounds, boolean force) {
        return new PromptAttackRequest(Fixtures.TINY_SD, Fixtures.TINY_SD, PROMPTS, PROMPTS, List.of(0L, 1L),
                new UnlearnDiffAtk.Settings(2, 2, rounds, 0.01, 0.1), SAMPLING, "light", out, force);
    }

    @Test
    void attacksEveryPromptAndWritesWhatEvalWrites(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("attack");
        Brightness judge = new Brightness();
        PromptAttack.Summary s = new PromptAttack(request(out, 2, false), () -> judge, Progress.silent()).run();
        assertEquals(2, s.attacked());
        // target, plain, then one judged image per round, for each prompt
        assertEquals(2 * (2 + 2), judge.images);
        List<String> lines = Files.readAllLines(out.resolve("manifest.jsonl"));
        assertEquals(2, lines.size());
        for (int i = 0; i < 2; i++) {
            JsonObject row = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            for (String key : List.of("prompt", "target_prompt", "adversarial_prompt", "seed", "file", "model")) {
                assertTrue(row.has(key), key + " in " + row);
            }
            String adversarial = row.get("adversarial_prompt").getAsString();
            assertTrue(adversarial.endsWith(PROMPTS.get(i)) && adversarial.length() > PROMPTS.get(i).length(),
                    adversarial);
            assertEquals(4, row.get("iterations").getAsInt());
            assertEquals(2, row.get("rounds").getAsInt());
            for (String f : List.of("file", "plain_file", "target_file")) {
                assertTrue(Files.isRegularFile(out.resolve(row.get(f).getAsString())), f);
            }
        }
        JsonReader strict = new JsonReader(new StringReader(Files.readString(out.resolve("metrics.json"))));
        strict.setStrictness(Strictness.STRICT);
        JsonObject metrics = JsonParser.parseReader(strict).getAsJsonObject();
        JsonObject under = metrics.getAsJsonObject("concept_under_attack");
        assertEquals(2, under.get("n").getAsInt());
        assertEquals(0, under.get("count").getAsInt());
        assertTrue(Files.isRegularFile(out.resolve("report.html")));
    }

    @Test
    void isDeterministicResumesAndGuardsItsFolder(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        new PromptAttack(request(a, 1, false), Brightness::new, Progress.silent()).run();
        new PromptAttack(request(b, 1, false), Brightness::new, Progress.silent()).run();
        List<String> first = adversarial(a);
        assertEquals(first, adversarial(b));

        PromptAttack.Summary again = new PromptAttack(request(a, 1, false), Brightness::new, Progress.silent()).run();
        assertEquals(0, again.attacked());
        assertEquals(2, again.reused());
        assertEquals(first, adversarial(a));

        InputException other = assertThrows(InputException.class,
                () -> new PromptAttack(request(a, 2, false), Brightness::new, Progress.silent()).run());
        assertTrue(other.getMessage().contains("another attack"), other.getMessage());
        PromptAttack.Summary forced = new PromptAttack(request(a, 2, true), Brightness::new, Progress.silent()).run();
        assertEquals(2, forced.attacked());
        assertNotEquals(0, Files.readAllLines(a.resolve("manifest.jsonl")).size());
    }

    @Test
    void refusesAConceptTheDetectorCannotSee(@TempDir Path tmp) {
        PromptAttackRequest r = new PromptAttackRequest(Fixtures.TINY_SD, Fixtures.TINY_SD, PROMPTS, PROMPTS,
                List.of(0L, 1L), new UnlearnDiffAtk.Settings(2, 1, 1, 0.01, 0.1), SAMPLING, "Stripes",
                tmp.resolve("x"), false);
        InputException e = assertThrows(InputException.class,
                () -> new PromptAttack(r, Brightness::new, Progress.silent()).run());
        assertTrue(e.getMessage().contains("Stripes"), e.getMessage());
    }

    private static List<String> adversarial(Path out) throws IOException {
        List<String> prompts = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("manifest.jsonl"))) {
            prompts.add(JsonParser.parseString(line).getAsJsonObject().get("adversarial_prompt").getAsString());
        }
        return prompts;
    }
}
