package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Selection from the reference column norms must reproduce the reference masks exactly. */
class SkilledNeuronSelectorTest {
    static final Path CP = Fixtures.TINY_SD.resolve("conceptprune");

    static List<String> layerNames(SafetensorsFile f) {
        List<String> names = new ArrayList<>();
        JsonParser.parseString(f.metadata().get("layer_names")).getAsJsonArray()
                .forEach(e -> names.add(e.getAsString()));
        return names;
    }

    static ColumnNorms referenceNorms(SafetensorsFile f, String set, int layers) {
        int calls = (int) f.info(set + ".l0").shape()[0];
        float[][][] norms = new float[calls][layers][];
        for (int l = 0; l < layers; l++) {
            float[] flat = f.readFloats(set + ".l" + l);
            int w = flat.length / calls;
            for (int t = 0; t < calls; t++) {
                norms[t][l] = Fixtures.slice(flat, t * w, w);
            }
        }
        return ColumnNorms.fromNorms(norms);
    }

    @Test
    void reproducesReferenceStepAndUnionMasksExactly() {
        try (SafetensorsFile norms = SafetensorsFile.open(CP.resolve("colnorms.safetensors"));
             SafetensorsFile steps = SafetensorsFile.open(CP.resolve("step_masks.safetensors"));
             SafetensorsFile union = SafetensorsFile.open(CP.resolve("union_masks.safetensors"));
             SafetensorsFile unet = SafetensorsFile.open(Fixtures.TINY_SD.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            List<String> layers = layerNames(norms);
            assertEquals(16, layers.size());
            ColumnNorms base = referenceNorms(norms, "base", layers.size());
            ColumnNorms target = referenceNorms(norms, "target", layers.size());
            double skill = Double.parseDouble(norms.metadata().get("skill_ratio"));
            int tau = Integer.parseInt(norms.metadata().get("tau"));
            int total = 0;
            for (int l = 0; l < layers.size(); l++) {
                String param = layers.get(l) + ".weight";
                long[] shape = unet.info(param).shape();
                SkilledNeuronSelector sel = new SkilledNeuronSelector(unet.readFloats(param), (int) shape[0], (int) shape[1]);
                int k = sel.topK(skill);
                for (int t = 0; t < base.calls(); t++) {
                    boolean[] mask = sel.stepMask(base.norm(t, l), target.norm(t, l), k);
                    long[] ref = steps.readLongs("mask.t" + t + ".l" + l);
                    for (int i = 0; i < mask.length; i++) {
                        assertEquals(ref[i] != 0, mask[i], "step mask t" + t + " l" + l + " entry " + i);
                    }
                }
                int[] got = sel.unionMask(base, target, l, skill, tau, 0.0);
                long[] ref = union.readLongs(param);
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < ref.length; i++) {
                    if (ref[i] != 0) {
                        expected.add(i);
                    }
                }
                assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), got, "union " + param);
                total += got.length;
            }
            assertEquals(6668, total, "pruned weights in all layers, as the reference summary");
        }
    }

    @Test
    void tiesAreBrokenLikeAStableDescendingSort() {
        float[] w = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        SkilledNeuronSelector sel = new SkilledNeuronSelector(w, 1, 10);
        float[] base = new float[10];
        float[] target = {2, 5, 5, 1, 5, 0, 0, 0, 0, 0};
        boolean[] m = sel.stepMask(base, target, 2);
        assertArrayEquals(new boolean[] {false, true, true, false, false, false, false, false, false, false}, m);
    }

    @Test
    void selectRatioRequiresMoreThanThatShareOfCalls() {
        float[] w = {1, 1, 1, 1};
        SkilledNeuronSelector sel = new SkilledNeuronSelector(w, 1, 4);
        float[][][] b = new float[4][1][];
        float[][][] t = new float[4][1][];
        for (int c = 0; c < 4; c++) {
            b[c][0] = new float[] {0, 0, 0, 0};
            t[c][0] = c < 3 ? new float[] {1, 0, 0, 0} : new float[] {0, 1, 0, 0};
        }
        ColumnNorms base = ColumnNorms.fromNorms(b);
        ColumnNorms target = ColumnNorms.fromNorms(t);
        assertArrayEquals(new int[] {0, 1}, sel.unionMask(base, target, 0, 0.25, 4, 0.0));
        assertArrayEquals(new int[] {0}, sel.unionMask(base, target, 0, 0.25, 4, 0.5));
        assertArrayEquals(new int[] {}, sel.unionMask(base, target, 0, 0.25, 4, 0.75));
    }
}
