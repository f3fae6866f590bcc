package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.attack.PromptAttack;
import dev.conceptprune.attack.AttackExecution;
import dev.conceptprune.attack.PromptAttackRequest;
import dev.conceptprune.attack.UnlearnDiffAtk;
import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.toyworld.TextureStyleDetector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task lost after it stored its work (as when an executor dies before reporting) is retried by Spark
 * ({@code local[2,2]}: two attempts per task); the retry finds the work stored, nothing is written twice,
 * progress counts each item once, and the folder equals a local run's.
 */
class SparkRetryTest {
    private static final List<String> PROMPTS = List.of("a red star on grass", "a blue circle in the sky");
    private static final List<String> TARGETS = List.of("a red star on grass in the style of Stripes",
            "a blue circle in the sky in the style of Stripes");

    @TempDir
    Path tmp;

    /** What the retries did, by item (local mode: the executor is this JVM). */
    private static final Map<Integer, Integer> RETRIED = new ConcurrentHashMap<>();

    /** Does the work, then fails every first attempt. */
    private record LosesFirstAttempts(Function<Integer, SparkJobs.Outcome> work)
            implements Function<Integer, SparkJobs.Outcome> {
        @Override
        public SparkJobs.Outcome call(Integer item) throws Exception {
            SparkJobs.Outcome o = work.call(item);
            if (TaskContext.get().attemptNumber() == 0) {
                throw new IllegalStateException("executor lost after storing item " + item);
            }
            RETRIED.put(item, o.done());
            return o;
        }
    }

    private static PromptAttackRequest request(Path out) {
        GenerationSettings sampling = new GenerationSettings("", "", 4, 7.5, null, 0, 64, 64, 1, null);
        return new PromptAttackRequest(Fixtures.TOYWORLD, Fixtures.TOYWORLD, PROMPTS, TARGETS, List.of(0L, 1L),
                new UnlearnDiffAtk.Settings(2, 2, 1, 0.01, 0.1), sampling, "Stripes", out, false);
    }

    @Test
    void aTaskLostAfterStoringIsRetriedWithoutDuplicates() throws IOException {
        Path local = tmp.resolve("local");
        new PromptAttack(request(local), TextureStyleDetector::new, Progress.silent()).run();

        Path spark = tmp.resolve("spark").toAbsolutePath();
        PromptAttackRequest r = request(spark);
        Progress.Task count = Progress.silent().task("attack", "prompt", 2, 0);
        PromptAttack.Summary first;
        try (SparkJobs jobs = new SparkJobs(new SparkSettings("local[2,2]", Map.of(), Runtime.threads()), "attack",
                Progress.silent())) {
            AttackExecution lossy = (plan, pending, task) -> jobs.run("retry", "prompts", pending,
                    new int[] {1, 1}, new LosesFirstAttempts(new AttackTask(plan, ExecutorCompute.withThreads(Runtime.threads()), new StagedInputs(new HadoopFiles(Map.of()), Map.of()), null)), count);
            first = new PromptAttack(r, TextureStyleDetector::new, lossy, Progress.silent()).run();
        }
        assertEquals(2, first.attacked());
        assertEquals(Map.of(0, 0, 1, 0), RETRIED, "each retry found its prompt stored and attacked nothing");
        // Stopping the context drains its listeners: every success is counted by now, each once.
        assertEquals(2, count.done());

        PromptAttack.Summary again = new PromptAttack(r, TextureStyleDetector::new, Progress.silent()).run();
        assertEquals(0, again.attacked(), "the retries left every prompt stored");
        List<Path> images;
        try (Stream<Path> w = Files.walk(local.resolve("images"))) {
            images = w.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : images) {
            Path rel = local.relativize(f);
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(spark.resolve(rel)), rel.toString());
        }
        try (Stream<Path> w = Files.walk(spark)) {
            List<Path> files = w.filter(Files::isRegularFile).toList();
            assertTrue(files.stream().noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), files.toString());
            assertEquals(images.size(), files.stream().filter(f -> f.toString().endsWith(".png")).count());
        }
    }
}
