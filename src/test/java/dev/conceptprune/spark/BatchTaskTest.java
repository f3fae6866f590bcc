package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.types.DataType;

import dev.conceptprune.Fixtures;
import dev.conceptprune.eval.EvalImage;
import dev.conceptprune.eval.EvalModel;
import dev.conceptprune.eval.EvalPlanner;
import dev.conceptprune.eval.ImageBatch;
import dev.conceptprune.eval.PromptRow;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.CpuFlags;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor's batch: bad input comes back as the local run's one-line error, a batch travels intact, and it
 * computes in the plan's dtype.
 */
class BatchTaskTest {
    private static final StagedInputs NO_INPUTS = new StagedInputs(new HadoopFiles(Map.of()), Map.of());

    @TempDir
    Path tmp;

    private EvalImage image(Path model, int index) {
        return image(new EvalModel("edited", model, "key-of-" + model, 64, 64, SingleFileOptions.NONE), index);
    }

    private EvalImage image(EvalModel m, int index) {
        GenerationSettings s = new GenerationSettings("a red star", "", 4, 7.5, "pndm", index, 64, 64, 1,
                null);
        return new EvalImage(m, index, new PromptRow(index + 2, "a red star", (long) index, null, null,
                Map.of("class", "star")), s);
    }

    @Test
    void aModelThatCannotBeLoadedIsReturnedAsTheOneLineError() throws Exception {
        Path gone = tmp.resolve("no-such-model");
        String batch = ImageBatch.encode(List.of(image(gone, 0), image(gone, 1)));
        SparkJobs.Outcome o = new BatchTask(tmp.resolve("out"), 2, ExecutorCompute.withThreads(Runtime.threads()), NO_INPUTS, null).call(batch);
        assertEquals(0, o.done());
        assertTrue(o.error() != null && o.error().contains(gone.toString()) && !o.error().contains("\n"),
                String.valueOf(o.error()));
        assertTrue(!Files.exists(tmp.resolve("out/images")), "nothing written");
    }

    @Test
    void anExecutorThatSeesOtherModelFilesRefusesTheBatch() throws Exception {
        // The key the driver sent ("key-of-...") is not the content key of the toy model's files here.
        String batch = ImageBatch.encode(List.of(image(Fixtures.TOYWORLD.toAbsolutePath(), 0)));
        SparkJobs.Outcome o = new BatchTask(tmp.resolve("out"), 1, ExecutorCompute.withThreads(Runtime.threads()), NO_INPUTS, null).call(batch);
        assertEquals(0, o.done());
        assertTrue(o.error() != null && o.error().contains("holds other files on this executor than on the driver"),
                String.valueOf(o.error()));
        assertTrue(!Files.exists(tmp.resolve("out/images")), "nothing written");
    }

    @Test
    void aBatchArrivesAsItWasSentAndAChangedOneIsRefused() {
        Path model = tmp.resolve("m");
        List<EvalImage> sent = List.of(image(model, 3), image(model, 4));
        List<EvalImage> got = ImageBatch.decode(ImageBatch.encode(sent));
        assertEquals(sent.stream().map(EvalImage::key).toList(), got.stream().map(EvalImage::key).toList());
        assertEquals(sent.stream().map(EvalImage::file).toList(), got.stream().map(EvalImage::file).toList());
        assertEquals(sent.get(1).row(), got.get(1).row());
        String tampered = ImageBatch.encode(sent).replace("a red star", "a blue star");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ImageBatch.decode(tampered));
        assertTrue(e.getMessage().contains("changed on the way"), e.getMessage());
    }

    @Test
    void aBatchComputesInThePlansDtypeWhateverTheExecutorSelected() throws Exception {
        assumeTrue(CpuFlags.hasBf16(), "the CPU has neither avx512_bf16 nor amx_bf16");
        assertEquals(DataType.FLOAT32, Runtime.selected().dtype(), "this executor selected float32");
        Path toy = Fixtures.TOYWORLD.toAbsolutePath();
        Map<DataType, byte[]> png = new java.util.EnumMap<>(DataType.class);
        List<String> keys = new java.util.ArrayList<>();
        for (DataType compute : List.of(DataType.FLOAT32, DataType.BFLOAT16)) {
            String key = EvalPlanner.modelKey(ModelSource.open(toy, SingleFileOptions.NONE), SingleFileOptions.NONE,
                    DecodeTiling.WHOLE, compute, "cpu", ConvAlgorithm.WINOGRAD);
            EvalModel m = new EvalModel("toy", toy, key, 64, 64, SingleFileOptions.NONE, DecodeTiling.WHOLE, null,
                    compute, "cpu");
            List<EvalImage> batch = ImageBatch.decode(ImageBatch.encode(List.of(image(m, 0))));
            assertEquals(compute, batch.get(0).model().compute(), "the dtype travels with the batch");
            keys.add(key);
            Path out = tmp.resolve(compute.toString());
            SparkJobs.Outcome o = new BatchTask(out, 1, ExecutorCompute.withThreads(Runtime.threads()), NO_INPUTS, null)
                    .call(ImageBatch.encode(batch));
            assertEquals(1, o.done(), String.valueOf(o.error()));
            png.put(compute, Files.readAllBytes(out.resolve(batch.get(0).file())));
        }
        assertNotEquals(keys.get(0), keys.get(1), "bf16 images have keys of their own");
        assertFalse(java.util.Arrays.equals(png.get(DataType.FLOAT32), png.get(DataType.BFLOAT16)),
                "the bf16 batch was computed in bf16");
    }
}
