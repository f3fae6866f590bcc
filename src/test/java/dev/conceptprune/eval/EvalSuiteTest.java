package dev.conceptprune.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.clip.ClipFixture;
import dev.conceptprune.clip.ClipScorer;
import dev.conceptprune.metrics.FrechetDistance;
import dev.conceptprune.metrics.KernelInceptionDistance;
import dev.conceptprune.instruments.imagenet.Classification;
import dev.conceptprune.instruments.imagenet.ImageNetClassifier;
import dev.conceptprune.instruments.nudenet.NudeNet;
import dev.conceptprune.instruments.nudenet.NudeNetDetection;
import dev.conceptprune.instruments.nudenet.NudityVerdict;
import dev.conceptprune.metrics.WilsonInterval;
import dev.conceptprune.runtime.Runtime;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --suite imagenette} end to end on the toy model with the tiny torchvision-layout
 * classifier: the suite's own rows and seeds, the classifier's verdict on the written images, and the
 * accuracy with its Wilson interval in metrics.json (the numbers mean nothing; the pipeline is real).
 */
class EvalSuiteTest {
    private static final Path CLASSIFIER = Fixtures.ROOT.resolve("eval-instruments/tiny-resnet");

    @TempDir
    Path tmp;

    @Test
    void imagenetteSuiteRunsWithTheClassifierAndReportsAccuracyWithItsInterval() throws IOException {
        Path out = tmp.resolve("eval");
        CliRun r = CliRun.run("eval", "--model", Fixtures.TOYWORLD.toString(), "--name", "toy", "--suite", "imagenette",
                "--classes", "church,Golf Ball", "--limit", "3", "--classifier", CLASSIFIER.toString(), "--steps", "2",
                "--height", "64", "--width", "64", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());

        List<JsonObject> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("manifest.jsonl"))) {
            rows.add(JsonParser.parseString(line).getAsJsonObject());
        }
        assertEquals(3, rows.size(), "the limit counts rows of the chosen classes");
        PromptSet suite = BenchmarkSuite.IMAGENETTE.prompts();
        List<PromptRow> church = suite.rows().stream().filter(p -> p.labels().get("class").equals("church")).toList();
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonObject m = rows.get(i);
            assertEquals(church.get(i).prompt(), m.get("prompt").getAsString());
            assertEquals((long) church.get(i).seed(), m.get("seed").getAsLong(), "the suite's own seed");
            images.add(ImageIO.read(out.resolve(m.get("file").getAsString()).toFile()));
        }

        int correct = 0;
        try (ImageNetClassifier c = ImageNetClassifier.load(CLASSIFIER, Runtime.cpu())) {
            List<Classification> got = c.classify(images);
            for (int i = 0; i < 3; i++) {
                String expected = ImageNetteDetector.verdict(got.get(i)).bestLabel();
                JsonObject verdict = rows.get(i).getAsJsonObject("scores").getAsJsonObject(ImageNetteDetector.NAME);
                assertEquals(expected, verdict.get("best_label").getAsString(), "the verdict is the classifier's");
                correct += expected.equals("church") ? 1 : 0;
            }
        }

        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        JsonObject model = metrics.getAsJsonArray("models").get(0).getAsJsonObject();
        assertEquals("toy", model.get("name").getAsString(), "named by --name");
        JsonObject imagenet = model.getAsJsonObject("detectors").getAsJsonObject(ImageNetteDetector.NAME);
        JsonObject accuracy = imagenet.getAsJsonObject("accuracy");
        assertEquals("class", accuracy.get("column").getAsString());
        assertEquals(3, accuracy.get("labeled").getAsInt());
        assertEquals(correct, accuracy.get("correct").getAsInt());
        WilsonInterval w = WilsonInterval.of(correct, 3).orElseThrow();
        assertEquals(w.low(), accuracy.get("low").getAsDouble(), 1e-12);
        assertEquals(w.high(), accuracy.get("high").getAsDouble(), 1e-12);
        JsonObject perClass = imagenet.getAsJsonObject("accuracy_per_class");
        assertEquals(List.of("church"), List.copyOf(perClass.keySet()), "the rows' classes");
        assertEquals(correct, perClass.getAsJsonObject("church").get("count").getAsInt());
        assertEquals(3, perClass.getAsJsonObject("church").get("n").getAsInt());
        JsonObject churchRate = imagenet.getAsJsonObject("label_rates").getAsJsonObject("church");
        assertEquals(3, churchRate.get("n").getAsInt());
        assertEquals(correct, churchRate.get("count").getAsInt());
        assertTrue(metrics.getAsJsonObject("prompts").get("file").getAsString().contains("imagenette"));
    }

    @Test
    void fidAndKidOfTheSecondModelFromTheFirstAreThoseOfTheirClipFeatures() throws IOException {
        Path out = tmp.resolve("fid");
        CliRun r = CliRun.run("eval", "--model", Fixtures.TOYWORLD.toString(), "--model", Fixtures.TINY_SD.toString(),
                "--name", "toy", "--name", "tiny", "--suite", "coco", "--limit", "4", "--clip", ClipFixture.DIR.toString(),
                "--fid", "--steps", "2", "--height", "64", "--width", "64", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<List<BufferedImage>> sets = List.of(new ArrayList<>(), new ArrayList<>());
        for (String line : Files.readAllLines(out.resolve("manifest.jsonl"))) {
            JsonObject m = JsonParser.parseString(line).getAsJsonObject();
            int model = m.getAsJsonObject("model").get("name").getAsString().equals("toy") ? 0 : 1;
            sets.get(model).add(ImageIO.read(out.resolve(m.get("file").getAsString()).toFile()));
        }
        double[][][] features = new double[2][][];
        try (ClipScorer clip = ClipScorer.open(ClipFixture.DIR)) {
            for (int s = 0; s < 2; s++) {
                float[] e = clip.imageEmbeddings(sets.get(s));
                int d = e.length / sets.get(s).size();
                features[s] = new double[sets.get(s).size()][d];
                for (int i = 0; i < features[s].length; i++) {
                    for (int j = 0; j < d; j++) {
                        features[s][i][j] = e[i * d + j];
                    }
                }
            }
        }
        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        JsonObject tiny = metrics.getAsJsonArray("models").get(1).getAsJsonObject();
        JsonObject d = tiny.getAsJsonObject("distance_from_first");
        assertEquals(4, d.get("images").getAsInt());
        assertEquals(4, d.get("baseline_images").getAsInt());
        double fid = FrechetDistance.between(features[0], features[1]);
        assertTrue(fid > 0, "two different models draw different images: " + fid);
        assertEquals(fid, d.get("fid").getAsDouble(), 1e-9 * Math.max(1, fid));
        assertEquals(KernelInceptionDistance.between(features[0], features[1]), d.get("kid").getAsDouble(), 1e-12);
        assertTrue(metrics.getAsJsonArray("models").get(0).getAsJsonObject().get("distance_from_first") == null,
                "the baseline has no distance from itself");
    }

    @Test
    void nuditySuiteCountsNudeImagesAndEachExposedClassWithIntervals() throws IOException {
        Path onnx = Fixtures.ROOT.resolve("eval-instruments/tiny-nudenet/tiny-nudenet-320.onnx");
        Path out = tmp.resolve("nudity");
        CliRun r = CliRun.run("eval", "--model", Fixtures.TOYWORLD.toString(), "--suite", "ring-a-bell", "--limit", "2",
                "--nudenet", onnx.toString(), "--nudity-threshold", "0.45", "--steps", "2", "--height", "64", "--width",
                "64", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        int nude = 0;
        java.util.Map<String, Integer> perClass = new java.util.LinkedHashMap<>();
        try (NudeNet n = NudeNet.load(onnx)) {
            for (String line : Files.readAllLines(out.resolve("manifest.jsonl"))) {
                JsonObject m = JsonParser.parseString(line).getAsJsonObject();
                BufferedImage img = ImageIO.read(out.resolve(m.get("file").getAsString()).toFile());
                List<NudeNetDetection> found = n.detect(img);
                nude += NudityVerdict.isNude(found, 0.45) ? 1 : 0;
                NudityVerdict.exposedCounts(found, 0.45).forEach((c, k) -> perClass.merge(c, k, Integer::sum));
                assertEquals(NudityVerdict.isNude(found, 0.45) ? "nude" : "safe", m.getAsJsonObject("scores")
                        .getAsJsonObject(NudeNetDetector.NAME).get("best_label").getAsString());
            }
        }
        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        assertEquals(0.45, metrics.getAsJsonObject("settings").getAsJsonObject("detectors")
                .getAsJsonObject(NudeNetDetector.NAME).get("threshold").getAsDouble(), "reported with the result");
        JsonObject d = metrics.getAsJsonArray("models").get(0).getAsJsonObject().getAsJsonObject("detectors")
                .getAsJsonObject(NudeNetDetector.NAME);
        JsonObject nudeRate = d.getAsJsonObject("label_rates").getAsJsonObject("nude");
        assertEquals(nude, nudeRate.get("count").getAsInt());
        assertEquals(2, nudeRate.get("n").getAsInt());
        assertEquals(WilsonInterval.of(nude, 2).orElseThrow().high(), nudeRate.get("high").getAsDouble(), 1e-12);
        JsonObject classes = d.getAsJsonObject("class_rates");
        assertEquals(NudityVerdict.EXPOSED_CLASSES, List.copyOf(classes.keySet()), "the nine classes the papers count");
        perClass.forEach((c, k) -> assertEquals((int) k, classes.getAsJsonObject(c).get("count").getAsInt(), c));
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("nudenet: images showing each class"), "the papers' per-class table");
        String belly = "BELLY_EXPOSED</td><td>" + perClass.get("BELLY_EXPOSED") + "/2 ";
        assertTrue(report.contains(belly), belly + " in the report");
    }
}
