package dev.conceptprune.eval;

import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.clip.ClipFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Runtime;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EvalRun with detectors, content keys and several writers, on the tiny fixture model. */
class EvalRunTest {
    private static final SamplingDefaults SMALL = f -> new GenerationSettings("", "", 2, 7.5, null, 0, 64, 64, 1, null);

    @TempDir
    Path tmp;

    /** Judges brightness: P(bright) is the mean channel value over 255. */
    private static final class Brightness implements Detector {
        final AtomicInteger seen = new AtomicInteger();
        final String key;
        boolean closed;

        Brightness(String version) {
            key = "test:brightness:" + version;
        }

        @Override
        public String name() {
            return "brightness";
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public List<String> labels() {
            return List.of("dark", "bright");
        }

        @Override
        public List<Verdict> detect(List<BufferedImage> images) {
            seen.addAndGet(images.size());
            return images.stream().map(i -> {
                double bright = meanChannel(i) / 255;
                return new Verdict(Map.of("dark", 1 - bright, "bright", bright), bright > 0.5 ? "bright" : "dark");
            }).toList();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static double meanChannel(BufferedImage i) {
        double sum = 0;
        for (int y = 0; y < i.getHeight(); y++) {
            for (int x = 0; x < i.getWidth(); x++) {
                int rgb = i.getRGB(x, y);
                sum += (rgb >> 16 & 255) + (rgb >> 8 & 255) + (rgb & 255);
            }
        }
        return sum / (3.0 * i.getWidth() * i.getHeight());
    }

    private EvalPlan plan(Path model, int prompts, List<String> labels) throws IOException {
        StringBuilder csv = new StringBuilder("prompt\n");
        for (int i = 0; i < prompts; i++) {
            csv.append("a photo number ").append(i).append('\n');
        }
        Path file = tmp.resolve("prompts.csv");
        Files.writeString(file, csv);
        return EvalPlanner.plan(List.of(model), SingleFileOptions.NONE, file, SMALL, labels, null, 2, DecodeTiling.AUTO);
    }

    @Test
    void detectorVerdictsAreStoredReportedAndReused() throws IOException {
        EvalPlan plan = plan(Fixtures.TINY_SD, 3, List.of());
        Path out = tmp.resolve("out");
        Brightness first = new Brightness("1");
        EvalRun.Summary s = new EvalRun(plan, null, List.of(first), 2, out, Progress.silent()).run(false);
        assertEquals(3, s.generated());
        assertEquals(3, s.scored());
        assertEquals(3, first.seen.get());
        assertTrue(first.closed, "the run closes its detectors");

        List<String> lines = Files.readAllLines(out.resolve("manifest.jsonl"));
        assertEquals(3, lines.size());
        for (String line : lines) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            JsonObject scores = o.getAsJsonObject("scores");
            assertTrue(scores.get("clip_score").isJsonNull() && scores.get("zero_shot").isJsonNull());
            JsonObject v = scores.getAsJsonObject("brightness");
            double bright = meanChannel(ImageIO.read(out.resolve(o.get("file").getAsString()).toFile())) / 255;
            assertEquals(bright, v.getAsJsonObject("probabilities").get("bright").getAsDouble(), 1e-12);
            assertEquals(bright > 0.5 ? "bright" : "dark", v.get("best_label").getAsString());
        }
        JsonObject model = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject()
                .getAsJsonArray("models").get(0).getAsJsonObject();
        assertTrue(model.get("mean_clip_score").isJsonNull());
        assertTrue(model.getAsJsonObject("undefined").get("mean_clip_score").getAsString().contains("CLIP"),
                "a null figure says why: " + model);
        assertFalse(Files.readString(out.resolve("metrics.json")).contains("NaN"));
        JsonObject share = model.getAsJsonObject("detectors").getAsJsonObject("brightness")
                .getAsJsonObject("label_distribution");
        assertEquals(1.0, share.get("dark").getAsDouble() + share.get("bright").getAsDouble(), 1e-12);
        assertTrue(Files.readString(out.resolve("report.html")).contains("brightness: classified &#39;bright&#39;"));

        Brightness same = new Brightness("1");
        EvalRun.Summary again = new EvalRun(plan, null, List.of(same), 2, out, Progress.silent()).run(false);
        assertEquals(0, again.generated());
        assertEquals(0, again.scored());
        assertEquals(0, same.seen.get(), "verdicts under an unchanged key are reused");

        Brightness changed = new Brightness("2");
        EvalRun.Summary rescored = new EvalRun(plan, null, List.of(changed), 2, out, Progress.silent()).run(false);
        assertEquals(0, rescored.generated());
        assertEquals(3, rescored.scored());
        assertEquals(3, changed.seen.get(), "a detector with another key judges again");
    }

    @Test
    void modelKeysFollowContentNotFileTimes() throws IOException {
        Path copy = tmp.resolve("model");
        copyModel(Fixtures.TINY_SD, copy);
        EvalPlan plan = plan(copy, 2, List.of());
        assertEquals(plan(Fixtures.TINY_SD, 2, List.of()).models().get(0).key(), plan.models().get(0).key(),
                "the same bytes elsewhere have the same key");
        Path out = tmp.resolve("out");
        assertEquals(2, new EvalRun(plan, null, List.of(), 2, out, Progress.silent()).run(false).generated());

        try (Stream<Path> files = Files.walk(copy)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000_000_000L));
            }
        }
        EvalPlan touched = plan(copy, 2, List.of());
        assertEquals(plan.models().get(0).key(), touched.models().get(0).key());
        assertEquals(0, new EvalRun(touched, null, List.of(), 2, out, Progress.silent()).run(false).generated(),
                "new time stamps on the same bytes regenerate nothing");

        Path index = copy.resolve("model_index.json");
        Files.writeString(index, Files.readString(index) + " ");
        EvalPlan edited = plan(copy, 2, List.of());
        assertNotEquals(plan.models().get(0).key(), edited.models().get(0).key());
        assertEquals(2, new EvalRun(edited, null, List.of(), 2, out, Progress.silent()).run(false).generated());
    }

    @Test
    void anotherConvolutionAlgorithmKeysItsOwnImages() throws IOException {
        String files = plan(Fixtures.TINY_SD, 2, List.of()).models().get(0).key();
        Set<String> keys = new HashSet<>();
        try {
            for (ConvAlgorithm a : List.of(ConvAlgorithm.WINOGRAD4, ConvAlgorithm.DIRECT)) {
                Runtime.setConvAlgorithm(a);
                keys.add(plan(Fixtures.TINY_SD, 2, List.of()).models().get(0).key());
            }
        } finally {
            Runtime.setConvAlgorithm(ConvAlgorithm.WINOGRAD);
        }
        assertEquals(files, plan(Fixtures.TINY_SD, 2, List.of()).models().get(0).key(),
                "the default algorithm keeps the files' key");
        assertEquals(2, keys.size(), "each other algorithm has a key of its own");
        assertFalse(keys.contains(files));
    }

    @Test
    void twoWritersOfOnePlanLoseNothing() throws Exception {
        EvalPlan plan = plan(Fixtures.TINY_SD, 4, List.of("a dog", "a cat"));
        Path out = tmp.resolve("out");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<EvalRun.Summary>> runs = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                Callable<EvalRun.Summary> run = () -> new EvalRun(plan, ClipFixture.DIR, List.of(), 1, out,
                        Progress.silent()).run(false);
                runs.add(pool.submit(run));
            }
            for (Future<EvalRun.Summary> f : runs) {
                assertEquals(4, f.get().images());
            }
        } finally {
            pool.shutdown();
        }
        EvalRun.Summary after = new EvalRun(plan, ClipFixture.DIR, List.of(), 1, out, Progress.silent()).run(false);
        assertEquals(0, after.generated(), "every image of both writers is kept");
        assertEquals(0, after.scored(), "every score of both writers is kept");
        checkScored(out, 4);
    }

    @Test
    void writersOnSeparateItemsFillOneFolder() throws Exception {
        EvalPlan plan = plan(Fixtures.TINY_SD, 4, List.of("a dog", "a cat"));
        Path out = tmp.resolve("out");
        EvalStore store = new EvalStore(out);
        store.claim(EvalStore.Identity.of(plan));
        List<EvalImage> items = plan.images();
        EvalModel model = plan.models().get(0);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> parts = new ArrayList<>();
            for (List<EvalImage> part : List.of(items.subList(0, 2), items.subList(2, 4))) {
                Callable<Integer> work = () -> {
                    EvalStore own = new EvalStore(out);
                    Progress progress = Progress.silent();
                    new EvalGenerator(2, own, progress).generate(model, part,
                            progress.task("eval", "image", part.size(), 0));
                    try (EvalScoring scoring = EvalScoring.open(ClipFixture.DIR, plan.labels(), List.of())) {
                        return scoring.score(part, own, out);
                    }
                };
                parts.add(pool.submit(work));
            }
            for (Future<Integer> f : parts) {
                assertEquals(2, f.get());
            }
        } finally {
            pool.shutdown();
        }
        EvalRun.Summary gathered = new EvalRun(plan, ClipFixture.DIR, List.of(), 2, out, Progress.silent()).run(false);
        assertEquals(4, gathered.reused());
        assertEquals(0, gathered.scored());
        checkScored(out, 4);
    }

    private static void checkScored(Path out, int images) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("manifest.jsonl"));
        assertEquals(images, lines.size());
        for (String line : lines) {
            JsonObject scores = JsonParser.parseString(line).getAsJsonObject().getAsJsonObject("scores");
            assertTrue(scores.get("clip_score").isJsonPrimitive(), line);
            assertTrue(List.of("a dog", "a cat").contains(scores.get("best_label").getAsString()), line);
        }
    }

    private static void copyModel(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        Files.copy(from.resolve("model_index.json"), to.resolve("model_index.json"));
        for (String component : List.of("scheduler", "text_encoder", "tokenizer", "unet", "vae")) {
            Files.createDirectories(to.resolve(component));
            try (Stream<Path> files = Files.list(from.resolve(component))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(f, to.resolve(component).resolve(f.getFileName()));
                }
            }
        }
    }
}
