package dev.conceptprune.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prompt set with a neutral_prompt column: the first model also draws each row's neutral prompt with the
 * row's seed, as its own column, and every model gets its neutrality over those rows (issue 18).
 */
class EvalNeutralityTest {
    @TempDir
    Path tmp;

    @Test
    void theBaselineDrawsTheNeutralPromptsAndEveryModelIsComparedWithThem() throws IOException {
        Path copy = tmp.resolve("copy");
        try (Stream<Path> files = Files.walk(Fixtures.TINY_SD)) {
            for (Path f : files.toList()) {
                Path to = copy.resolve(Fixtures.TINY_SD.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Path prompts = tmp.resolve("neutral.csv");
        Files.write(prompts, List.of("prompt,neutral_prompt,evaluation_seed",
                "a house by Van Gogh,a house,3", "a tree by Van Gogh,,4", "a cat,a cat,5"));
        Path out = tmp.resolve("eval");
        CliRun r = CliRun.run("eval", "--model", Fixtures.TINY_SD.toString(), "--model", copy.toString(), "--name",
                "base", "--name", "copy", "--prompts", prompts.toString(), "--clip",
                Fixtures.ROOT.resolve("tiny-clip").toString(), "--steps", "2", "--height", "64", "--width", "64",
                "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Path neutral = out.resolve("images/base-neutral");
        assertTrue(Files.exists(neutral.resolve("0.png")));
        assertFalse(Files.exists(neutral.resolve("1.png")), "a row without a neutral prompt has no neutral image");
        assertEquals(-1, Files.mismatch(neutral.resolve("2.png"), out.resolve("images/base/2.png")),
                "the neutral prompt is drawn with the row's seed and settings");
        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        JsonArray models = metrics.getAsJsonArray("models");
        assertEquals(3, models.size(), "base, copy and the neutral prompts' model");
        JsonObject base = models.get(0).getAsJsonObject().getAsJsonObject("neutrality");
        JsonObject same = models.get(1).getAsJsonObject().getAsJsonObject("neutrality");
        assertFalse(models.get(2).getAsJsonObject().has("neutrality"));
        JsonObject rate = base.getAsJsonObject("nearer_neutral");
        assertEquals(2, rate.get("n").getAsInt(), "the rows with a neutral prompt");
        assertEquals(0, rate.get("count").getAsInt(), "the baseline is never nearer than its own image");
        assertEquals(1.0, base.get("mean_to_baseline").getAsDouble(), 1e-6);
        // Row 2's neutral image is the baseline's image, so its similarity is 1; row 0's is below 1.
        double toNeutral = base.get("mean_to_neutral").getAsDouble();
        assertTrue(toNeutral < 1 - 1e-6 && toNeutral > 0, "mean similarity to the neutral images: " + toNeutral);
        assertEquals(base.toString(), same.toString(), "a copy of the baseline draws the same images");
        assertTrue(Files.readString(out.resolve("report.html")).contains("Neutrality"));
    }
}
