package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.pipeline.GeneratedImages;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ConceptPrune on the tiny SDXL folder against the reference run: 22 ff.net.2 layers matched by name. */
class SdxlConceptPruneTest {
    private static final Path CP = Fixtures.TINY_SDXL.resolve("conceptprune");

    static StableDiffusionPipeline pipe;
    static SafetensorsFile norms;
    static GenerationSettings settings;
    static List<PromptPair> pairs = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        pipe = StableDiffusionPipeline.load(DiffusersFolder.open(Fixtures.TINY_SDXL));
        norms = SafetensorsFile.open(CP.resolve("colnorms.safetensors"));
        Map<String, String> meta = norms.metadata();
        var base = JsonParser.parseString(meta.get("base")).getAsJsonArray();
        var target = JsonParser.parseString(meta.get("target")).getAsJsonArray();
        for (int i = 0; i < base.size(); i++) {
            pairs.add(new PromptPair(base.get(i).getAsString(), target.get(i).getAsString(), 0));
        }
        settings = new GenerationSettings("", "", Integer.parseInt(meta.get("steps")),
                Double.parseDouble(meta.get("guidance")), meta.get("scheduler"), 0,
                Integer.parseInt(meta.get("height")), Integer.parseInt(meta.get("width")), 1, null);
    }

    @AfterAll
    static void close() {
        norms.close();
        pipe.close();
    }

    @Test
    void columnNormsAndMaskMatchTheReferenceByParameterName() {
        int calls = Integer.parseInt(norms.metadata().get("num_unet_calls_T"));
        int tau = Integer.parseInt(norms.metadata().get("tau"));
        double skill = Double.parseDouble(norms.metadata().get("skill_ratio"));
        ConceptDiscovery.Result r = new ConceptDiscovery(pipe, settings, calls, 4, null).run(pairs);
        List<String> names = SkilledNeuronSelectorTest.layerNames(norms);
        List<String> params = pipe.unet().feedForwardLayers().stream().map(l -> l.name() + ".weight").toList();
        assertEquals(22, params.size());
        ColumnNorms refBase = SkilledNeuronSelectorTest.referenceNorms(norms, "base", names.size());
        ColumnNorms refTarget = SkilledNeuronSelectorTest.referenceNorms(norms, "target", names.size());
        double worst = 0;
        for (int l = 0; l < params.size(); l++) {
            // the reference's layer for this parameter, found by name, not by position
            int ref = names.indexOf(params.get(l).substring(0, params.get(l).length() - ".weight".length()));
            assertTrue(ref >= 0, params.get(l));
            for (int t = 0; t < calls; t++) {
                worst = Math.max(worst, relDiff(refBase.norm(t, ref), r.base().norm(t, l)));
                worst = Math.max(worst, relDiff(refTarget.norm(t, ref), r.target().norm(t, l)));
            }
        }
        System.out.printf("SDXL column norms: max relative diff %.3g vs reference%n", worst);
        // measured 4.0e-6
        assertTrue(worst <= 5e-5, "column norms within 5e-5 relative: " + worst);

        try (TensorStore unet = DiffusersFolder.open(Fixtures.TINY_SDXL).weights("unet")) {
            PruneMask mask = MaskBuilder.build(unet, params, r.base(), r.target(), skill, tau, 0.0, Map.of());
            long[] counts = compareWithReference(mask);
            System.out.printf("SDXL mask: %d of %d selected entries agree with the reference%n", counts[0], counts[1]);
            assertEquals(counts[1], counts[0], "selected entries that agree");
        }
    }

    @Test
    void eraseApplyAndReloadRoundTripOnTheFolder() throws IOException {
        Path base = tmp.resolve("base.txt");
        Path target = tmp.resolve("target.txt");
        Files.write(base, pairs.stream().map(PromptPair::base).toList());
        Files.write(target, pairs.stream().map(PromptPair::target).toList());
        Path out = tmp.resolve("erase");
        CliRun erase = CliRun.run("erase", "--model", Fixtures.TINY_SDXL.toString(), "--base-prompts", base.toString(),
                "--target-prompts", target.toString(), "--concept-name", "Van Gogh",
                "--skill-ratio", norms.metadata().get("skill_ratio"), "--tau", norms.metadata().get("tau"),
                "--steps", norms.metadata().get("steps"), "--guidance", norms.metadata().get("guidance"),
                "--scheduler", "euler", "--height", "64", "--width", "64", "--batch", "4", "--quiet",
                "--out", out.toString());
        assertEquals(0, erase.code(), erase.err());
        Path maskFile = out.resolve("van-gogh.mask.safetensors");
        PruneMask mask = PruneMask.read(maskFile);
        long[] counts = compareWithReference(mask);
        assertEquals(counts[1], counts[0], "the erase command's mask is the reference's");

        Path applied = tmp.resolve("applied");
        CliRun apply = CliRun.run("apply", "--model", Fixtures.TINY_SDXL.toString(), "--mask", maskFile.toString(),
                "--out", applied.toString());
        assertEquals(0, apply.code(), apply.err());
        try (TensorStore erased = DiffusersFolder.open(out.resolve("model")).weights("unet");
             TensorStore reapplied = DiffusersFolder.open(applied).weights("unet");
             TensorStore original = DiffusersFolder.open(Fixtures.TINY_SDXL).weights("unet")) {
            for (String name : original.names()) {
                float[] a = erased.readFloats(name);
                assertArrayEquals(a, reapplied.readFloats(name), name);
                int[] idx = mask.indices().get(name);
                float[] o = original.readFloats(name);
                for (int i = 0, k = 0; i < o.length; i++) {
                    boolean pruned = idx != null && k < idx.length && idx[k] == i;
                    if (pruned) {
                        k++;
                    }
                    assertEquals(pruned ? 0f : o[i], pruned ? Math.abs(a[i]) : a[i], name + "[" + i + "]");
                }
            }
        }
        try (SafetensorsFile runs = SafetensorsFile.open(CP.resolve("runs.safetensors"));
             StableDiffusionPipeline reloaded = StableDiffusionPipeline.load(DiffusersFolder.open(applied))) {
            GenerationSettings s = settings.withPrompt(pairs.get(0).target())
                    .withInitialLatents(runs.readFloats("initial_latents"));
            GeneratedImages img = reloaded.generate(s, StepListener.NONE);
            // measured 1.8e-6
            Fixtures.assertClose("pruned target image", runs.readFloats("pruned_target0_image"), img.pixels(), 2e-5);
        }
    }

    @Test
    void eraseOnTheSingleFileWritesItsLayoutAndApplyReproducesIt() throws IOException {
        Path file = Fixtures.TINY_SDXL.resolve("single_file/tiny-xl.safetensors");
        Path base = tmp.resolve("base.txt");
        Path target = tmp.resolve("target.txt");
        Files.write(base, pairs.stream().map(PromptPair::base).toList());
        Files.write(target, pairs.stream().map(PromptPair::target).toList());
        Path out = tmp.resolve("erase-file");
        CliRun erase = CliRun.run("erase", "--model", file.toString(), "--config", Fixtures.TINY_SDXL.toString(),
                "--base-prompts", base.toString(), "--target-prompts", target.toString(), "--concept-name", "Van Gogh",
                "--skill-ratio", norms.metadata().get("skill_ratio"), "--tau", norms.metadata().get("tau"),
                "--steps", norms.metadata().get("steps"), "--guidance", norms.metadata().get("guidance"),
                "--scheduler", "euler", "--height", "64", "--width", "64", "--batch", "4", "--quiet",
                "--out", out.toString());
        assertEquals(0, erase.code(), erase.err());
        Path mask = out.resolve("van-gogh.mask.safetensors");
        long[] counts = compareWithReference(PruneMask.read(mask));
        assertEquals(counts[1], counts[0], "the single file's mask is the folder's reference mask");
        Path edited = out.resolve("tiny-xl.safetensors");
        Path applied = tmp.resolve("applied");
        CliRun apply = CliRun.run("apply", "--model", file.toString(), "--config", Fixtures.TINY_SDXL.toString(),
                "--mask", mask.toString(), "--out", applied.toString());
        assertEquals(0, apply.code(), apply.err());
        assertEquals(-1, Files.mismatch(edited, applied.resolve("tiny-xl.safetensors")), "apply reproduces erase");
        assertEquals(Files.size(file), Files.size(edited), "same layout, only pruned entries zeroed");
    }

    @Test
    void textMlpPrunesBothEncodersInTheFolderAndInTheSingleFile() throws IOException {
        Path base = tmp.resolve("base.txt");
        Path target = tmp.resolve("target.txt");
        Files.write(base, pairs.stream().map(PromptPair::base).toList());
        Files.write(target, pairs.stream().map(PromptPair::target).toList());
        Path out = tmp.resolve("erase-text");
        CliRun erase = CliRun.run("erase", "--model", Fixtures.TINY_SDXL.toString(), "--site", "text-mlp",
                "--base-prompts", base.toString(), "--target-prompts", target.toString(), "--concept-name", "Van Gogh",
                "--skill-ratio", "0.05", "--steps", "2", "--scheduler", "euler", "--height", "64", "--width", "64",
                "--quiet", "--out", out.toString());
        assertEquals(0, erase.code(), erase.err());
        PruneMask mask = PruneMask.read(out.resolve("van-gogh.mask.safetensors"));
        Map<Component, ClipTextModel> encoders = pipe.textEncoders();
        assertEquals(List.of(Component.TEXT_ENCODER, Component.TEXT_ENCODER_2), List.copyOf(encoders.keySet()));
        Set<String> expected = new LinkedHashSet<>();
        encoders.forEach((c, e) -> {
            for (int i = 0; i < e.config().layers(); i++) {
                expected.add(MaskKey.of(c, ClipTextModel.fc2WeightName(i)));
            }
        });
        assertEquals(expected, mask.indices().keySet(), "every fc2 of both encoders, by component");
        assertTrue(mask.indices().values().stream().allMatch(v -> v.length > 0), "each layer has pruned entries");

        ModelSource folder = DiffusersFolder.open(Fixtures.TINY_SDXL);
        ModelSource editedFolder = DiffusersFolder.open(out.resolve("model"));
        assertOnlyMaskedZeroed(folder, editedFolder, mask);

        Path file = Fixtures.TINY_SDXL.resolve("single_file/tiny-xl.safetensors");
        Path applied = tmp.resolve("applied-text");
        CliRun apply = CliRun.run("apply", "--model", file.toString(), "--config", Fixtures.TINY_SDXL.toString(),
                "--mask", out.resolve("van-gogh.mask.safetensors").toString(), "--out", applied.toString());
        assertEquals(0, apply.code(), apply.err());
        SingleFileOptions configs = new SingleFileOptions(Fixtures.TINY_SDXL, null, null, false);
        assertOnlyMaskedZeroed(ModelSource.open(file, configs),
                ModelSource.open(applied.resolve("tiny-xl.safetensors"), configs), mask);
    }

    @Test
    void eraseTakesSdxlsSizeConditionsAndSecondPrompt() throws IOException {
        Path base = tmp.resolve("base.txt");
        Path target = tmp.resolve("target.txt");
        Files.write(base, pairs.stream().map(PromptPair::base).toList());
        Files.write(target, pairs.stream().map(PromptPair::target).toList());
        List<PruneMask> masks = new ArrayList<>();
        String[][] variants = {{}, {"--original-size", "256,256", "--crop-top-left", "16,0"}, {"--prompt-2", "a sketch"}};
        for (int v = 0; v < variants.length; v++) {
            Path out = tmp.resolve("erase-conditions-" + v);
            List<String> args = new ArrayList<>(List.of("erase", "--model", Fixtures.TINY_SDXL.toString(),
                    "--base-prompts", base.toString(), "--target-prompts", target.toString(), "--concept-name", "Van Gogh",
                    "--skill-ratio", "0.05", "--tau", "2", "--steps", "2", "--scheduler", "euler", "--height", "64",
                    "--width", "64", "--quiet", "--out", out.toString()));
            args.addAll(List.of(variants[v]));
            CliRun erase = CliRun.run(args);
            assertEquals(0, erase.code(), erase.err());
            masks.add(PruneMask.read(out.resolve("van-gogh.mask.safetensors")));
        }
        for (int v = 1; v < masks.size(); v++) {
            boolean differs = false;
            for (String k : masks.get(0).indices().keySet()) {
                differs |= !java.util.Arrays.equals(masks.get(0).indices().get(k), masks.get(v).indices().get(k));
            }
            assertTrue(differs, "the conditions of variant " + v + " reach the UNet and change the mask");
        }
    }

    /** Both text encoders of {@code edited} equal {@code base}'s except the masked entries, which are 0. */
    private static void assertOnlyMaskedZeroed(ModelSource base, ModelSource edited, PruneMask mask) {
        int zeroed = 0;
        for (Component c : List.of(Component.TEXT_ENCODER, Component.TEXT_ENCODER_2, Component.UNET)) {
            try (TensorSource before = base.tensors(c); TensorSource after = edited.tensors(c)) {
                for (String n : before.names()) {
                    int[] idx = mask.indices().getOrDefault(MaskKey.of(c, n), new int[0]);
                    float[] a = before.readFloats(n);
                    float[] b = after.readFloats(n);
                    for (int i : idx) {
                        assertEquals(0f, Math.abs(b[i]), c.folderName() + "/" + n + "[" + i + "]");
                        // a zeroed negative weight may read as -0.0, which computes as 0
                        a[i] = 0f;
                        b[i] = 0f;
                        zeroed++;
                    }
                    assertArrayEquals(a, b, c.folderName() + "/" + n);
                }
            }
        }
        assertEquals(mask.count(), zeroed);
    }

    /** {agreeing, selected}; the mask names exactly the reference's parameters. */
    private static long[] compareWithReference(PruneMask mask) {
        assertEquals(ReferenceMasks.names(CP), mask.indices().keySet());
        return ReferenceMasks.compare(mask, CP, mask.indices().keySet());
    }

    private static double relDiff(float[] ref, float[] got) {
        return Fixtures.maxAbsDiff(ref, got) / Math.max(Fixtures.maxAbs(ref), 1e-30);
    }
}
