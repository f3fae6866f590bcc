package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.prune.MaskKey;
import dev.conceptprune.prune.PruneFill;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.PrunedModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code erase --fill gaussian} writes noise where the mask prunes and records the fill in the mask, so
 * that {@code apply} of the mask reproduces the edited model byte for byte, as a folder and as a single file.
 */
class FillCommandsTest {
    @TempDir
    Path tmp;

    private Path erase(Path model, String... extra) throws IOException {
        Path base = tmp.resolve("base.txt");
        Path target = tmp.resolve("target.txt");
        Files.write(base, List.of("a cat", "a dog"));
        Files.write(target, List.of("a cat in the style of Van Gogh", "a dog in the style of Van Gogh"));
        Path out = tmp.resolve("erase");
        List<String> args = new ArrayList<>(List.of("erase", "--model", model.toString(), "--base-prompts",
                base.toString(), "--target-prompts", target.toString(), "--concept-name", "Van Gogh", "--skill-ratio",
                "0.05", "--steps", "3", "--tau", "2", "--height", "64", "--width", "64", "--batch", "4", "--quiet",
                "--out", out.toString()));
        args.addAll(List.of(extra));
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        return out;
    }

    private Path apply(Path model, Path... masks) {
        return apply("(fill gaussian (seed 7))", model, masks);
    }

    private Path apply(String fillNote, Path model, Path... masks) {
        Path out = tmp.resolve("apply");
        List<String> args = new ArrayList<>(List.of("apply", "--model", model.toString(), "--out", out.toString()));
        for (Path m : masks) {
            args.add("--mask");
            args.add(m.toString());
        }
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(fillNote), r.out());
        return out;
    }

    @Test
    void aGaussianEraseOfAFolderIsReproducedByApply() throws IOException {
        Path out = erase(Fixtures.TINY_SD, "--fill", "gaussian", "--fill-seed", "7");
        Path mask = out.resolve("van-gogh.mask.safetensors");
        PruneMask m = PruneMask.read(mask);
        assertEquals(PruneFill.gaussian(7), m.fill());
        assertEquals("gaussian", m.metadata().get("fill"));
        assertNoZeros(ModelSource.open(Fixtures.TINY_SD), ModelSource.open(out.resolve("model")), m);
        Path applied = apply(Fixtures.TINY_SD, mask);
        assertEquals(Set.of(), PrunedModelWriter.differingFiles(out.resolve("model"), applied));
        assertEquals(Set.of(), PrunedModelWriter.differingFiles(applied, out.resolve("model")));
    }

    @Test
    void aGaussianEraseOfASingleFileIsReproducedByApply() throws IOException {
        Path file = Fixtures.ROOT.resolve("tiny-sd1-single/tiny-sd1c.safetensors");
        Path out = erase(file, "--fill", "gaussian", "--fill-seed", "7");
        Path edited = out.resolve("tiny-sd1c.safetensors");
        Path mask = out.resolve("van-gogh.mask.safetensors");
        assertNoZeros(ModelSource.open(file), ModelSource.open(edited), PruneMask.read(mask));
        Path applied = apply(file, mask);
        assertEquals(-1, Files.mismatch(edited, applied.resolve("tiny-sd1c.safetensors")));
    }

    @Test
    void aMatchedEraseCarriesItsValuesInTheMaskAndIsReproducedByApply() throws IOException {
        Path out = erase(Fixtures.TINY_SD, "--site", "attn2-kv", "--fill", "matched");
        Path mask = out.resolve("van-gogh.mask.safetensors");
        PruneMask m = PruneMask.read(mask);
        assertEquals(PruneFill.MATCHED, m.fill());
        assertEquals(m.indices().keySet(), m.values().keySet());
        assertTrue(m.indices().keySet().stream().anyMatch(k -> k.endsWith("attn2.to_k.weight")), "keys pruned");
        assertTrue(m.indices().keySet().stream().anyMatch(k -> k.endsWith("attn2.to_v.weight")), "values pruned");
        assertNoZeros(ModelSource.open(Fixtures.TINY_SD), ModelSource.open(out.resolve("model")), m);
        Path applied = apply("(fill matched)", Fixtures.TINY_SD, mask);
        assertEquals(Set.of(), PrunedModelWriter.differingFiles(out.resolve("model"), applied));
        assertEquals(Set.of(), PrunedModelWriter.differingFiles(applied, out.resolve("model")));
    }

    @Test
    void masksOfDifferentFillsAreRefusedByApply() throws IOException {
        Path out = erase(Fixtures.TINY_SD, "--fill", "gaussian");
        Path gaussian = out.resolve("van-gogh.mask.safetensors");
        PruneMask g = PruneMask.read(gaussian);
        Map<String, String> meta = new LinkedHashMap<>(g.metadata());
        meta.putAll(PruneFill.ZERO.toMetadata());
        Path zero = tmp.resolve("zero.mask.safetensors");
        new PruneMask(g.indices(), g.shapes(), meta).write(zero);
        CliRun r = CliRun.run("apply", "--model", Fixtures.TINY_SD.toString(), "--mask", gaussian.toString(),
                "--mask", zero.toString(), "--out", tmp.resolve("apply").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("error: masks with different fills cannot be united (gaussian (seed 0) and zero)"),
                r.err());
        assertTrue(!Files.exists(tmp.resolve("apply")));
    }

    /** Every pruned entry of the edited model differs from the base and from zero: the positions do not show. */
    private static void assertNoZeros(ModelSource base, ModelSource edited, PruneMask mask) {
        long pruned = 0;
        for (Map.Entry<String, int[]> e : mask.indices().entrySet()) {
            Component c = MaskKey.component(e.getKey());
            try (TensorSource before = base.tensors(c); TensorSource after = edited.tensors(c)) {
                float[] a = before.readFloats(MaskKey.parameter(e.getKey()));
                float[] b = after.readFloats(MaskKey.parameter(e.getKey()));
                for (int i : e.getValue()) {
                    assertTrue(b[i] != 0 && b[i] != a[i], e.getKey() + " " + i + ": " + a[i] + " -> " + b[i]);
                    pruned++;
                }
            }
        }
        assertTrue(pruned > 0, "the mask prunes something");
    }
}
