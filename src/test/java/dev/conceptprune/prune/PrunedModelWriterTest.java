package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.cli.Main;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.TensorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export and apply with the reference union mask of the tiny model. */
class PrunedModelWriterTest {
    @TempDir
    Path tmp;

    /** The reference union mask as a {@link PruneMask} of the tiny model. */
    static PruneMask referenceMask() {
        Map<String, int[]> idx = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (SafetensorsFile u = SafetensorsFile.open(SkilledNeuronSelectorTest.CP.resolve("union_masks.safetensors"));
             TensorStore unet = DiffusersFolder.open(Fixtures.TINY_SD).weights("unet")) {
            for (String name : u.tensors().keySet()) {
                long[] m = u.readLongs(name);
                List<Integer> on = new ArrayList<>();
                for (int i = 0; i < m.length; i++) {
                    if (m[i] != 0) {
                        on.add(i);
                    }
                }
                idx.put(name, on.stream().mapToInt(Integer::intValue).toArray());
                shapes.put(name, u.info(name).shape());
            }
            return new PruneMask(idx, shapes, Map.of(PruneMask.FINGERPRINT, BaseFingerprint.of(unet), "concepts", "Van Gogh"));
        }
    }

    @Test
    void exportZeroesExactlyTheMaskAndCopiesEverythingElse() throws IOException {
        PruneMask mask = referenceMask();
        Path out = tmp.resolve("edited");
        PrunedModelWriter.export(DiffusersFolder.open(Fixtures.TINY_SD), WeightEdits.of(DiffusersFolder.open(Fixtures.TINY_SD), mask), out, false);
        Set<String> differ = PrunedModelWriter.differingFiles(Fixtures.TINY_SD, out);
        assertEquals(Set.of("unet/diffusion_pytorch_model.safetensors"), differ);
        try (TensorStore before = DiffusersFolder.open(Fixtures.TINY_SD).weights("unet");
             TensorStore after = DiffusersFolder.open(out).weights("unet")) {
            assertEquals(before.names(), after.names());
            long zeroed = 0;
            for (String name : before.names()) {
                float[] w = before.readFloats(name);
                float[] v = after.readFloats(name);
                int[] m = mask.indices().get(name);
                if (m != null) {
                    for (int i : m) {
                        w[i] = 0f;
                    }
                    zeroed += m.length;
                }
                assertArrayEquals(w, v, name);
            }
            assertEquals(6668, zeroed);
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no temporary folder left behind");
        }
        InputException e = assertThrows(InputException.class,
                () -> PrunedModelWriter.export(DiffusersFolder.open(Fixtures.TINY_SD), WeightEdits.of(DiffusersFolder.open(Fixtures.TINY_SD), mask), out, false));
        assertTrue(e.getMessage().contains("already exists"));
    }

    @Test
    void theEditedModelHasThePermissionsOfPlainFilesAndFoldersNotTheInputs() throws IOException {
        Path base = tmp.resolve("base");
        Fixtures.copyTree(Fixtures.TINY_SD, base);
        Set<PosixFilePermission> plainFile = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("plain")));
        Set<PosixFilePermission> plainDir = Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("dir")));
        Path out = tmp.resolve("edited");
        setWritable(base, false);
        try {
            DiffusersFolder folder = DiffusersFolder.open(base);
            PrunedModelWriter.export(folder, WeightEdits.of(folder, referenceMask()), out, false);
        } finally {
            setWritable(base, true);
        }
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.toList()) {
                assertEquals(Files.isDirectory(p) ? plainDir : plainFile, Files.getPosixFilePermissions(p),
                        out.relativize(p).toString());
            }
        }
    }

    @Test
    void maskFileRoundTripsAndUnites() {
        PruneMask mask = referenceMask();
        Path f = tmp.resolve("vg.mask.safetensors");
        mask.write(f);
        PruneMask back = PruneMask.read(f);
        assertEquals(mask.count(), back.count());
        assertEquals(mask.fingerprint(), back.fingerprint());
        mask.indices().forEach((k, v) -> assertArrayEquals(v, back.indices().get(k), k));
        PruneMask self = back.union(mask);
        assertEquals(mask.count(), self.count(), "union with itself adds nothing");
        assertArrayEquals(new int[] {1, 2, 3, 5, 7}, PruneMask.unionSorted(new int[] {1, 3, 5}, new int[] {2, 3, 7}));
    }

    @Test
    void applyCommandWorksOnReadOnlyInputAndRefusesForeignMasks() throws IOException {
        Path base = tmp.resolve("base");
        Fixtures.copyTree(Fixtures.TINY_SD, base);
        Path maskFile = tmp.resolve("vg.mask.safetensors");
        referenceMask().write(maskFile);
        setWritable(base, false);
        try {
            CliRun r = CliRun.run("apply", "--model", base.toString(), "--mask", maskFile.toString(), "--out",
                    tmp.resolve("out").toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(Files.exists(tmp.resolve("out/unet/diffusion_pytorch_model.safetensors")));
            assertEquals(Set.of(), PrunedModelWriter.differingFiles(Fixtures.TINY_SD, base), "input untouched");
        } finally {
            setWritable(base, true);
        }
        Map<String, String> meta = new LinkedHashMap<>(referenceMask().metadata());
        meta.put(PruneMask.FINGERPRINT, "sha256:0000");
        Path foreign = tmp.resolve("foreign.mask.safetensors");
        new PruneMask(referenceMask().indices(), referenceMask().shapes(), meta).write(foreign);
        CliRun r = CliRun.run("apply", "--model", base.toString(), "--mask", foreign.toString(), "--out",
                tmp.resolve("out2").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("computed on another model"), r.err());
        assertFalse(Files.exists(tmp.resolve("out2")));
    }

    private static void setWritable(Path root, boolean writable) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(writable);
            }
        }
    }
}
