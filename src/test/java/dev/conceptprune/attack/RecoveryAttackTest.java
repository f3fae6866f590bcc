package dev.conceptprune.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Progress;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.EditedModel;
import dev.conceptprune.prune.PruneFill;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.prune.PrunedModelWriter;
import dev.conceptprune.prune.SiteLayer;
import dev.conceptprune.prune.WeightEdits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attack on the tiny SD model with one ff.net.2 weight partly zeroed, and on the model untouched. */
class RecoveryAttackTest {
    private static final String LAYER = "down_blocks.1.attentions.0.transformer_blocks.0.ff.net.2.weight";
    private static final String UNET_FILE = "unet/diffusion_pytorch_model.safetensors";

    @TempDir
    Path tmp;

    @Test
    void revivesTheZeroedEntriesOfOneLayerAndNothingElse() throws IOException {
        // Every 50th entry of a 64x256 ff.net.2 weight, 2% of it, zeroed as an erase writes a model.
        int[] zeroed = new int[64 * 256 / 50 + 1];
        for (int k = 0; k < zeroed.length; k++) {
            zeroed[k] = k * 50;
        }
        ModelSource base = DiffusersFolder.open(Fixtures.TINY_SD);
        Path pruned = tmp.resolve("pruned");
        EditedModel.export(base, new WeightEdits(Map.of(LAYER,
                new WeightEdits.Edit(new long[] {64, 256}, zeroed, new float[zeroed.length]))), pruned, false);
        float[] before;
        try (TensorSource t = DiffusersFolder.open(pruned).tensors(Component.UNET)) {
            before = t.readFloats(LAYER);
        }

        Path out = tmp.resolve("attack");
        RecoveryResult r = new RecoveryAttack(ModelSource.open(pruned), RecoverySettings.PAPER, Progress.silent())
                .run(out, false);

        assertEquals(1, r.matricesRecovered());
        assertEquals(15, r.matricesSkipped(), "the tiny UNet's other ff.net.2 weights");
        assertTrue(r.skipped().stream().allMatch(s -> s.reason().equals("no zeros")), r.skipped().toString());
        RecoveryResult.Matrix m = r.recovered().get(0);
        System.out.printf("recovered %s: %d of %d missing set, %d iterations (converged %s), %.2f s%n", m.parameter(),
                m.set(), m.missing(), m.iterations(), m.converged(), m.seconds());
        assertEquals(LAYER, m.parameter());
        assertEquals(zeroed.length, m.missing());
        int dropped = (int) ((1 - 0.6) * zeroed.length);
        assertEquals(zeroed.length - dropped, m.set(), "floor(0.4 * 328) = 131 of the 328 dropped");
        assertEquals(m.set(), r.entriesSet());
        assertFalse(r.unchanged());
        assertEquals("model", r.recoveredModel());

        Path written = out.resolve("model");
        assertEquals(Set.of(UNET_FILE), PrunedModelWriter.differingFiles(written, pruned),
                "only the UNet's weight file differs");
        float[] after;
        try (TensorSource t = DiffusersFolder.open(written).tensors(Component.UNET)) {
            after = t.readFloats(LAYER);
        }
        Set<Integer> zeroSet = new HashSet<>();
        int set = 0;
        for (int i : zeroed) {
            zeroSet.add(i);
            float rowMax = 0;
            for (int c = 0; c < 256; c++) {
                rowMax = Math.max(rowMax, Math.abs(before[i / 256 * 256 + c]));
            }
            assertTrue(after[i] == 0 || Math.abs(after[i]) == rowMax, "entry " + i + ": " + after[i]);
            set += after[i] == 0 ? 0 : 1;
        }
        assertEquals(m.set(), set);
        assertOnlyElementsDiffer(pruned.resolve(UNET_FILE), written.resolve(UNET_FILE), zeroSet);

        JsonObject json = JsonParser.parseString(Files.readString(out.resolve(RecoveryAttack.SUMMARY)))
                .getAsJsonObject();
        assertEquals(1, json.get("matrices_recovered").getAsInt());
        assertEquals(m.set(), json.getAsJsonArray("recovered").get(0).getAsJsonObject().get("set").getAsInt());
    }

    /** The two files have the same bytes except within the elements {@code indices} of {@link #LAYER}. */
    private static void assertOnlyElementsDiffer(Path a, Path b, Set<Integer> indices) throws IOException {
        TensorInfo info;
        try (SafetensorsFile f = SafetensorsFile.open(a)) {
            info = f.info(LAYER);
        }
        byte[] x = Files.readAllBytes(a);
        byte[] y = Files.readAllBytes(b);
        assertEquals(x.length, y.length, "same length");
        long dataStart = 8 + (x[0] & 0xffL | (x[1] & 0xffL) << 8 | (x[2] & 0xffL) << 16 | (x[3] & 0xffL) << 24);
        int differing = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != y[i]) {
                long element = (i - dataStart - info.begin()) / 4;
                assertTrue(i >= dataStart + info.begin() && i < dataStart + info.end()
                        && indices.contains((int) element), "byte " + i + " differs outside the pruned entries");
                differing++;
            }
        }
        assertTrue(differing > 0);
    }

    @Test
    void findsNothingWhereTheErasureFilledThePrunedEntriesWithNoise() throws IOException {
        int[] pruned = new int[64 * 256 / 50 + 1];
        for (int k = 0; k < pruned.length; k++) {
            pruned[k] = k * 50;
        }
        ModelSource base = DiffusersFolder.open(Fixtures.TINY_SD);
        float[] weights;
        try (TensorSource t = base.tensors(Component.UNET)) {
            weights = t.readFloats(LAYER);
        }
        Path filled = tmp.resolve("filled");
        EditedModel.export(base, new WeightEdits(Map.of(LAYER, new WeightEdits.Edit(new long[] {64, 256}, pruned,
                PruneFill.gaussian(7).values(LAYER, weights, pruned)))), filled, false);
        RecoveryResult r = new RecoveryAttack(DiffusersFolder.open(filled), RecoverySettings.PAPER, Progress.silent())
                .run(tmp.resolve("attack"), false);
        assertEquals(0, r.matricesRecovered());
        assertTrue(r.unchanged());
    }

    @Test
    void leavesAModelWithoutZerosUnchanged() throws IOException {
        Path out = tmp.resolve("attack");
        RecoveryResult r = new RecoveryAttack(DiffusersFolder.open(Fixtures.TINY_SD), RecoverySettings.PAPER,
                Progress.silent()).run(out, false);
        assertEquals(0, r.matricesRecovered());
        assertEquals(16, r.matricesSkipped());
        assertEquals(0, r.entriesSet());
        assertTrue(r.unchanged());
        assertEquals(Set.of(), PrunedModelWriter.differingFiles(out.resolve("model"), Fixtures.TINY_SD));
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve(RecoveryAttack.SUMMARY)))
                .getAsJsonObject();
        assertTrue(json.get("unchanged").getAsBoolean());
    }

    @Test
    void findsEachSitesLayersByNameAsThePipelineListsThem() {
        ModelSource model = DiffusersFolder.open(Fixtures.TINY_SD);
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(model)) {
            for (PruneSite site : PruneSite.values()) {
                Set<String> expected = new HashSet<>();
                for (SiteLayer l : site.layers(pipe)) {
                    expected.add(l.maskKey());
                }
                Set<String> found = new HashSet<>();
                for (Component c : List.of(Component.UNET, Component.TEXT_ENCODER)) {
                    try (TensorSource t = model.tensors(c)) {
                        t.names().stream().filter(n -> site.prunes(c, n))
                                .forEach(n -> found.add(c == Component.UNET ? n : c.folderName() + "/" + n));
                    }
                }
                assertFalse(expected.isEmpty());
                assertEquals(expected, found, site.id());
            }
        }
    }
}
