package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same UnlearnDiffAtk run in this process and on Spark ({@code local[2]}) on the toy model: byte-identical
 * images, the same manifest rows (but their wall times) and metrics; a half-finished Spark run attacks only the
 * prompts without a record.
 */
class SparkAttackTest {
    @TempDir
    Path tmp;

    private CliRun attack(Path out, String... engine) throws IOException {
        // Prompts without the style, towards target images with it: every prompt needs the attack's rounds.
        Path prompts = tmp.resolve("prompts.txt");
        Path targets = tmp.resolve("targets.txt");
        if (!Files.exists(prompts)) {
            Files.writeString(prompts, "a red star on grass\na blue circle in the sky\na green square at night\n");
            Files.writeString(targets, "a red star on grass in the style of Stripes\n"
                    + "a blue circle in the sky in the style of Stripes\n"
                    + "a green square at night in the style of Stripes\n");
        }
        List<String> args = new ArrayList<>(List.of("--threads", "2", "attack", "--method", "unlearndiffatk",
                "--model", Fixtures.TOYWORLD.toString(), "--reference-model", Fixtures.TOYWORLD.toString(),
                "--prompts", prompts.toString(), "--target-prompts", targets.toString(),
                "--texture-styles", "--concept", "Stripes", "--steps", "4",
                "--tokens", "2", "--iterations", "2", "--rounds", "2", "--out", out.toString()));
        args.addAll(List.of(engine));
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    @Test
    void aSparkAttackEqualsTheLocalOneAndResumes() throws IOException {
        Path local = tmp.resolve("local");
        Path spark = tmp.resolve("spark");
        attack(local);
        CliRun s = attack(spark, "--engine", "spark", "--master", "local[2]");
        assertTrue(s.out().contains("attacked 3 prompts (0 reused)"), s.out());
        assertTrue(s.err().contains("attack: 3 prompts on Spark"), s.err());
        assertSameImages(local, spark);
        Set<JsonElement> rows = rowsWithoutTimes(local);
        assertTrue(rows.stream().anyMatch(r -> r.getAsJsonObject().get("rounds").getAsInt() > 0),
                "the attack ran: " + rows);
        assertEquals(rows, rowsWithoutTimes(spark));
        assertEquals(metricsWithoutTimes(local), metricsWithoutTimes(spark));

        Path record;
        try (Stream<Path> r = Files.list(spark.resolve(".attack"))) {
            record = r.sorted().findFirst().orElseThrow();
        }
        Files.delete(record);
        CliRun again = attack(spark, "--engine", "spark", "--master", "local[2]");
        assertTrue(again.out().contains("attacked 3 prompts (2 reused)"), again.out());
        assertTrue(again.err().contains("attack: 1 prompts on Spark"), again.err());
        assertSameImages(local, spark);

        CliRun done = attack(spark, "--engine", "spark", "--master", "local[2]");
        assertTrue(done.out().contains("attacked 3 prompts (3 reused)"), done.out());
        assertTrue(!done.err().contains("Spark local[2] started"), "a complete folder needs no Spark: " + done.err());
    }

    @Test
    void aModelThatFailsOnTheExecutorsFailsTheRunWithTheLocalError() throws IOException {
        Path broken = SparkEvalTest.brokenToyModel(tmp);
        Path prompts = tmp.resolve("one.txt");
        Files.writeString(prompts, "a red star\n");
        List<String> args = List.of("--threads", "2", "attack", "--method", "unlearndiffatk", "--model",
                broken.toString(), "--reference-model", broken.toString(), "--prompts", prompts.toString(),
                "--steps", "2");
        CliRun local = CliRun.run(SparkEvalTest.concat(args, "--out", tmp.resolve("local").toString()));
        CliRun spark = CliRun.run(SparkEvalTest.concat(args, "--out", tmp.resolve("spark").toString(), "--engine",
                "spark", "--master", "local[2]"));
        assertEquals(2, local.code(), local.err());
        assertEquals(2, spark.code(), spark.err());
        assertTrue(spark.err().contains("Spark local[2] started"), spark.err());
        assertEquals(SparkEvalTest.lastLine(local.err()), SparkEvalTest.lastLine(spark.err()));
        assertTrue(!Files.exists(tmp.resolve("spark/images")), "no image written");
    }

    private static void assertSameImages(Path a, Path b) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(a.resolve("images"))) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertTrue(files.size() >= 6, "target, plain and perhaps attack images of 3 prompts: " + files);
        for (Path f : files) {
            Path rel = a.relativize(f);
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(rel)), rel.toString());
        }
        try (Stream<Path> s = Files.walk(b.resolve("images"))) {
            assertEquals(files.size(), s.filter(p -> p.toString().endsWith(".png")).count());
        }
    }

    private static Set<JsonElement> rowsWithoutTimes(Path out) throws IOException {
        Set<JsonElement> rows = new HashSet<>();
        for (String line : Files.readAllLines(out.resolve("manifest.jsonl"))) {
            JsonObject row = JsonParser.parseString(line).getAsJsonObject();
            row.remove("seconds");
            rows.add(row);
        }
        return rows;
    }

    private static JsonObject metricsWithoutTimes(Path out) throws IOException {
        JsonObject m = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        m.remove("seconds");
        m.remove("seconds_per_prompt");
        return m;
    }
}
