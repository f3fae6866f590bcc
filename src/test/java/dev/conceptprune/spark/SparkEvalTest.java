package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same evaluation plan run in this process and on Spark ({@code local[2]}): byte-identical images,
 * the same manifest rows and metrics; a half-finished Spark run generates only what is missing.
 */
class SparkEvalTest {
    private static final String PROMPTS = """
            prompt,evaluation_seed,evaluation_guidance
            a red star on grass,1,7.5
            a blue circle in the sky in the style of Stripes,2,7.5
            a green square at night,3,7.5
            a yellow heart on sand in the style of Polka,4,3
            an orange cross,5,7.5
            a purple triangle in the style of Waves,6,7.5
            """;

    @TempDir
    Path tmp;

    private CliRun eval(Path out, String... engine) throws IOException {
        Path prompts = tmp.resolve("prompts.csv");
        if (!Files.exists(prompts)) {
            Files.writeString(prompts, PROMPTS);
        }
        List<String> args = new ArrayList<>(List.of("--threads", "2", "eval",
                "--model", Fixtures.TOYWORLD.toString(), "--model", Fixtures.TOYWORLD.toString(),
                "--name", "base", "--name", "copy", "--prompts", prompts.toString(), "--steps", "4", "--batch", "2",
                "--out", out.toString()));
        args.addAll(List.of(engine));
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    @Test
    void aSparkRunEqualsTheLocalRunAndResumes() throws IOException {
        Path local = tmp.resolve("local");
        Path spark = tmp.resolve("spark");
        eval(local);
        CliRun s = eval(spark, "--engine", "spark", "--master", "local[2]", "--conf", "spark.driver.memory=1g");
        assertTrue(s.out().contains("12 images: 12 generated, 0 reused"), s.out());
        assertTrue(s.err().contains("Spark local[2] started"), s.err());
        assertTrue(s.err().contains("base: 6 images in 4 batches on Spark"), s.err());
        assertSameImages(local, spark, 12);
        assertEquals(new HashSet<>(Files.readAllLines(local.resolve("manifest.jsonl"))),
                new HashSet<>(Files.readAllLines(spark.resolve("manifest.jsonl"))));
        assertEquals(metricsWithoutTime(local), metricsWithoutTime(spark));

        // One image of a full batch, one of the guidance-3 row's batch of one.
        Files.delete(spark.resolve("images/base/1.png"));
        Files.delete(spark.resolve("images/copy/3.png"));
        CliRun again = eval(spark, "--engine", "spark", "--master", "local[2]");
        assertTrue(again.out().contains("12 images: 2 generated, 10 reused"), again.out());
        assertSameImages(local, spark, 12);

        CliRun done = eval(spark, "--engine", "spark", "--master", "local[2]");
        assertTrue(done.out().contains("12 images: 0 generated, 12 reused"), done.out());
        assertTrue(!done.err().contains("Spark local[2] started"), "a complete folder needs no Spark: " + done.err());
    }

    @Test
    void aModelThatFailsOnTheExecutorsFailsTheRunWithTheLocalError() throws IOException {
        Path broken = brokenToyModel(tmp);
        Path prompts = tmp.resolve("two.txt");
        Files.writeString(prompts, "a red star\na blue circle\n");
        List<String> args = List.of("--threads", "2", "eval", "--model", broken.toString(), "--prompts",
                prompts.toString(), "--steps", "2");
        CliRun local = CliRun.run(concat(args, "--out", tmp.resolve("local").toString()));
        CliRun spark = CliRun.run(concat(args, "--out", tmp.resolve("spark").toString(), "--engine", "spark",
                "--master", "local[2]"));
        assertEquals(2, local.code(), local.err());
        assertEquals(2, spark.code(), spark.err());
        assertTrue(spark.err().contains("Spark local[2] started"), "the planner passed it to the executors: "
                + spark.err());
        assertEquals(lastLine(local.err()), lastLine(spark.err()));
        assertTrue(lastLine(spark.err()).startsWith("error: " + broken.resolve("unet")), spark.err());
        assertTrue(!spark.err().contains("2/2 images"), "a refused batch is not counted as done: " + spark.err());
        try (Stream<Path> s = Files.walk(tmp.resolve("spark"))) {
            assertTrue(s.noneMatch(f -> f.toString().endsWith(".png")), "no image written");
        }
    }

    /**
     * A copy of the toy model whose UNet config asks for one more layer per block than its weights hold: the
     * planner's checks pass (it reads configs and hashes files), loading fails on the executor.
     */
    static Path brokenToyModel(Path tmp) throws IOException {
        Path broken = tmp.resolve("broken-model");
        Fixtures.copyTree(Fixtures.TOYWORLD, broken);
        Path config = broken.resolve("unet/config.json");
        JsonObject c = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        c.addProperty("layers_per_block", c.get("layers_per_block").getAsInt() + 1);
        Files.writeString(config, c.toString());
        return broken;
    }

    static List<String> concat(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void badEngineOptionsAreRefusedBeforeAnyWork() {
        CliRun r = CliRun.run("eval", "--model", Fixtures.TOYWORLD.toString(), "--prompts",
                Fixtures.TOYWORLD.resolve("../prompts/acceptance.txt").toString(), "--out", tmp.resolve("o").toString(),
                "--engine", "spark", "--conf", "spark.executor.memory");
        assertEquals(2, r.code(), r.err());
        assertEquals("error: --conf: Spark configuration entries are key=value, got 'spark.executor.memory'",
                r.err().strip());
        r = CliRun.run("eval", "--model", Fixtures.TOYWORLD.toString(), "--prompts",
                Fixtures.TOYWORLD.resolve("../prompts/acceptance.txt").toString(), "--out", tmp.resolve("o").toString(),
                "--master", "local[2]");
        assertEquals("error: --master and --conf configure --engine spark", r.err().strip());
        assertTrue(!Files.exists(tmp.resolve("o")), "nothing written");
    }

    static void assertSameImages(Path a, Path b, int count) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(a.resolve("images"))) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertEquals(count, files.size());
        for (Path f : files) {
            Path rel = a.relativize(f);
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(rel)), rel.toString());
        }
    }

    private static JsonObject metricsWithoutTime(Path out) throws IOException {
        JsonObject m = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        m.remove("wall_seconds");
        return m;
    }
}
