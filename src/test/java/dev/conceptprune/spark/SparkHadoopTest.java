package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * eval and attack on Spark with the model, the prompts and the output folder on a Hadoop file system
 * ({@link LocalSchemeFileSystem}): the remote output folder ends up with what a local run writes locally,
 * the same image bytes, and a re-run generates only what is missing there.
 */
class SparkHadoopTest {
    private static final String PROMPTS = """
            prompt,evaluation_seed,evaluation_guidance
            a red star on grass,1,7.5
            a blue circle in the sky in the style of Stripes,2,7.5
            a green square at night,3,7.5
            """;

    @TempDir
    Path tmp;

    private List<String> spark() {
        return List.of("--engine", "spark", "--master", "local[2]", "--conf", LocalSchemeFileSystem.SETTING,
                "--conf", HadoopStaging.ROOT_SETTING + "=" + tmp.resolve("staging"));
    }

    private CliRun eval(String model, String prompts, String out, List<String> engine) {
        List<String> args = new ArrayList<>(List.of("--threads", "2", "eval", "--model", model, "--prompts", prompts,
                "--steps", "4", "--batch", "2", "--out", out));
        args.addAll(engine);
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    @Test
    void anEvaluationOnAHadoopFileSystemEqualsTheLocalOneAndResumes() throws IOException {
        Path remote = tmp.resolve("remote");
        Fixtures.copyTree(Fixtures.TOYWORLD, remote.resolve("models/toy"));
        Files.writeString(remote.resolve("prompts.csv"), PROMPTS);
        Path local = tmp.resolve("local");
        Path prompts = tmp.resolve("prompts.csv");
        Files.writeString(prompts, PROMPTS);
        eval(remote.resolve("models/toy").toString(), prompts.toString(), local.toString(), List.of());

        Path out = remote.resolve("eval");
        CliRun s = eval(LocalSchemeFileSystem.uri(remote.resolve("models/toy")),
                LocalSchemeFileSystem.uri(remote.resolve("prompts.csv")), LocalSchemeFileSystem.uri(out), spark());
        assertTrue(s.out().contains("3 images: 3 generated, 0 reused"), s.out());
        assertTrue(s.out().contains("report: " + LocalSchemeFileSystem.uri(out) + "/report.html"), s.out());
        SparkEvalTest.assertSameImages(local, out, 3);
        for (String f : List.of("manifest.jsonl", "metrics.json", "report.html")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " published");
        }
        assertEquals(Files.readAllLines(local.resolve("manifest.jsonl")).size(),
                Files.readAllLines(out.resolve("manifest.jsonl")).size());
        assertTrue(Files.readString(out.resolve("manifest.jsonl")).contains("staging/cptest/_"),
                "rows name the staged copy, whose path carries the URI's");
        try (Stream<Path> l = Files.walk(out)) {
            assertTrue(l.noneMatch(p -> p.getFileName().toString().startsWith(HadoopFiles.PART)), "no temporary file");
        }

        Files.delete(out.resolve("images/toy/1.png"));
        CliRun again = eval(LocalSchemeFileSystem.uri(remote.resolve("models/toy")),
                LocalSchemeFileSystem.uri(remote.resolve("prompts.csv")), LocalSchemeFileSystem.uri(out), spark());
        assertTrue(again.out().contains("3 images: 1 generated, 2 reused"), again.out());
        SparkEvalTest.assertSameImages(local, out, 3);
    }

    @Test
    void anAttackOnAHadoopFileSystemEqualsTheLocalOne() throws IOException {
        Path remote = tmp.resolve("remote");
        Fixtures.copyTree(Fixtures.TOYWORLD, remote.resolve("models/toy"));
        Files.writeString(remote.resolve("prompts.txt"), "a red star on grass\n");
        Files.writeString(remote.resolve("targets.txt"), "a red star on grass in the style of Stripes\n");
        List<CliRun> runs = new ArrayList<>();
        for (boolean onSpark : new boolean[] {false, true}) {
            java.util.function.Function<String, String> at = rel -> onSpark
                    ? LocalSchemeFileSystem.uri(remote.resolve(rel)) : remote.resolve(rel).toString();
            List<String> args = new ArrayList<>(List.of("--threads", "2", "attack", "--method", "unlearndiffatk",
                    "--model", at.apply("models/toy"), "--reference-model", at.apply("models/toy"),
                    "--prompts", at.apply("prompts.txt"), "--target-prompts", at.apply("targets.txt"),
                    "--texture-styles", "--concept", "Stripes", "--steps", "4", "--tokens", "2", "--iterations", "2",
                    "--rounds", "1", "--out", onSpark ? LocalSchemeFileSystem.uri(remote.resolve("attack"))
                            : tmp.resolve("local-attack").toString()));
            if (onSpark) {
                args.addAll(spark());
            }
            CliRun r = CliRun.run(args);
            assertEquals(0, r.code(), r.err());
            runs.add(r);
        }
        assertTrue(runs.get(1).err().contains("attack: 1 prompts on Spark"), runs.get(1).err());
        Path out = remote.resolve("attack");
        try (Stream<Path> l = Files.walk(tmp.resolve("local-attack/images"))) {
            SparkEvalTest.assertSameImages(tmp.resolve("local-attack"), out,
                    (int) l.filter(p -> p.toString().endsWith(".png")).count());
        }
        assertTrue(Files.isRegularFile(out.resolve("metrics.json")) && Files.isRegularFile(out.resolve("report.html")));
    }

    @Test
    void aHadoopUriWithoutSparkIsRefusedBeforeAnyWork() {
        CliRun r = CliRun.run("eval", "--model", "hdfs://nn/models/sd15", "--prompts", "p.txt", "--out",
                tmp.resolve("o").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().strip().startsWith("error: --model hdfs://nn/models/sd15: ") && r.err().contains(
                "--engine spark"), r.err());
        assertTrue(!Files.exists(tmp.resolve("o")), "nothing written");
    }
}
