package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.eval.EvalImage;
import dev.conceptprune.eval.EvalModel;
import dev.conceptprune.eval.ImageBatch;
import dev.conceptprune.eval.PromptRow;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An executor's batch: bad input comes back as the local run's one-line error, and a batch travels intact. */
class BatchTaskTest {
    private static final StagedInputs NO_INPUTS = new StagedInputs(new HadoopFiles(Map.of()), Map.of());

    @TempDir
    Path tmp;

    private EvalImage image(Path model, int index) {
        EvalModel m = new EvalModel("edited", model, "key-of-" + model, 64, 64, SingleFileOptions.NONE);
        GenerationSettings s = new GenerationSettings("a red star", "", 4, 7.5, "PNDMScheduler", index, 64, 64, 1,
                null);
        return new EvalImage(m, index, new PromptRow(index + 2, "a red star", (long) index, null, null,
                Map.of("class", "star")), s);
    }

    @Test
    void aModelThatCannotBeLoadedIsReturnedAsTheOneLineError() throws Exception {
        Path gone = tmp.resolve("no-such-model");
        String batch = ImageBatch.encode(List.of(image(gone, 0), image(gone, 1)));
        SparkJobs.Outcome o = new BatchTask(tmp.resolve("out"), 2, Runtime.threads(), NO_INPUTS, null).call(batch);
        assertEquals(0, o.done());
        assertTrue(o.error() != null && o.error().contains(gone.toString()) && !o.error().contains("\n"),
                String.valueOf(o.error()));
        assertTrue(!Files.exists(tmp.resolve("out/images")), "nothing written");
    }

    @Test
    void anExecutorThatSeesOtherModelFilesRefusesTheBatch() throws Exception {
        // The key the driver sent ("key-of-...") is not the content key of the toy model's files here.
        String batch = ImageBatch.encode(List.of(image(Fixtures.TOYWORLD.toAbsolutePath(), 0)));
        SparkJobs.Outcome o = new BatchTask(tmp.resolve("out"), 1, Runtime.threads(), NO_INPUTS, null).call(batch);
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
}
