package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval and inspect on single-file checkpoints, with the options that complete them. */
class SingleFileEvalTest {
    private static final Path SINGLE = Fixtures.ROOT.resolve("tiny-sd1-single");

    @TempDir
    Path tmp;

    @Test
    void evalComparesASafetensorsFileWithItsCkptAndFolder() throws IOException {
        Path prompts = tmp.resolve("prompts.txt");
        Files.write(prompts, List.of("a photo of a cat"));
        Path out = tmp.resolve("eval");
        CliRun r = CliRun.run("eval", "--model", SINGLE.resolve("tiny-sd1c.safetensors").toString(),
                "--model", SINGLE.resolve("tiny-sd1c.ckpt").toString(), "--model", SINGLE.resolve("diffusers").toString(),
                "--prompts", prompts.toString(), "--steps", "2", "--height", "64", "--width", "64", "--quiet",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<Path> images;
        try (var s = Files.walk(out)) {
            images = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertEquals(3, images.size(), images.toString());
        for (Path other : images.subList(1, 3)) {
            assertEquals(-1, Files.mismatch(images.get(0), other), "the same weights draw the same image: " + other);
        }
    }

    @Test
    void eraseEvaluatesTheEditedSingleFileAgainstItsBase() throws IOException {
        Path base = tmp.resolve("base.txt");
        Path target = tmp.resolve("target.txt");
        Files.write(base, List.of("a cat", "a dog"));
        Files.write(target, List.of("a cat by Van Gogh", "a dog by Van Gogh"));
        Path prompts = tmp.resolve("eval.txt");
        Files.write(prompts, List.of("a bird by Van Gogh"));
        Path out = tmp.resolve("erase");
        CliRun r = CliRun.run("erase", "--model", SINGLE.resolve("tiny-sd1c.ckpt").toString(), "--base-prompts",
                base.toString(), "--target-prompts", target.toString(), "--concept-name", "Van Gogh", "--skill-ratio",
                "0.05", "--steps", "2", "--tau", "2", "--height", "64", "--width", "64", "--eval", prompts.toString(),
                "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("tiny-sd1c.safetensors")), "a .ckpt is edited into a .safetensors");
        String metrics = Files.readString(out.resolve("eval/metrics.json"));
        assertTrue(metrics.contains("tiny-sd1c.ckpt") && metrics.contains("tiny-sd1c.safetensors"), metrics);
    }

    @Test
    void inspectShowsWhatTheOptionsChange() {
        CliRun r = CliRun.run("inspect", SINGLE.resolve("tiny-sd1c.safetensors").toString(), "--original-config",
                "src/test/resources/ldm-configs/tiny-v.yaml");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("from the original config and the family's conventions"), r.out());
        assertTrue(r.out().contains("prediction type: v_prediction"), r.out());
        assertTrue(r.out().contains("image size: 128"), r.out());
        CliRun folder = CliRun.run("inspect", SINGLE.resolve("tiny-sd1c.ckpt").toString(), "--config",
                SINGLE.resolve("diffusers").toString());
        assertEquals(0, folder.code(), folder.err());
        assertTrue(folder.out().contains("from configs of " + SINGLE.resolve("diffusers")), folder.out());
    }
}
