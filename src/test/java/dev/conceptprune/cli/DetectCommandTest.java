package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.instruments.nudenet.NudityVerdict;
import dev.conceptprune.io.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code detect --json} with the torchvision-layout classifier fixture: the line format and the reference top-5. */
class DetectCommandTest {
    private static final Path INSTRUMENTS = Fixtures.ROOT.resolve("eval-instruments");
    private static final String[] IMAGES = {"toy_64", "wide_120x200", "tall_200x120", "square_512", "odd_97x131"};

    @Test
    void jsonLinesCarryTheReferenceTopFiveWithTheirLogits() throws IOException {
        Path resnet = INSTRUMENTS.resolve("tiny-resnet");
        List<String> args = new ArrayList<>(List.of("detect", "--classifier", resnet.toString(), "--json"));
        for (String name : IMAGES) {
            args.add(INSTRUMENTS.resolve("images/" + name + ".png").toString());
        }
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(IMAGES.length, lines.size(), r.out());
        JsonObject top5 = JsonParser.parseString(Files.readString(resnet.resolve("top5.json"))).getAsJsonObject();
        try (SafetensorsFile ref = SafetensorsFile.open(resnet.resolve("reference.safetensors"))) {
            for (int i = 0; i < IMAGES.length; i++) {
                JsonObject line = JsonParser.parseString(lines.get(i)).getAsJsonObject();
                assertEquals(List.of("image", "classifier"), List.copyOf(line.keySet()), "only the instruments asked for");
                assertEquals(args.get(4 + i), line.get("image").getAsString(), "the path as given");
                JsonArray got = line.getAsJsonObject("classifier").getAsJsonArray("top5");
                JsonArray expected = top5.getAsJsonArray(IMAGES[i] + ".png");
                float[] logits = ref.readFloats(IMAGES[i] + ".logits");
                for (int k = 0; k < 5; k++) {
                    JsonObject e = got.get(k).getAsJsonObject();
                    int index = e.get("index").getAsInt();
                    assertEquals(expected.get(k).getAsInt(), index, IMAGES[i] + " top " + (k + 1));
                    // the classifier is within 3.4e-5 of torchvision's logits; printed to 6 decimals
                    assertEquals(logits[index], e.get("logit").getAsDouble(), 2e-4, IMAGES[i] + " logit " + index);
                }
            }
        }
    }

    @Test
    void textOutputNamesEachImageAndInstrument() {
        Path image = INSTRUMENTS.resolve("images/toy_64.png");
        CliRun r = CliRun.run("detect", "--classifier", INSTRUMENTS.resolve("tiny-resnet").toString(), image.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith(image + "\n  classifier: {\"top5\":[{\"index\":3,"), r.out());
    }

    @Test
    void nudenetDetectionsAreNudeNetsOwnWithTheNudityVerdict() throws IOException {
        Path nudenet = INSTRUMENTS.resolve("tiny-nudenet");
        JsonObject reference = JsonParser.parseString(Files.readString(nudenet.resolve("reference.json")))
                .getAsJsonObject();
        List<String> args = new ArrayList<>(List.of("detect", "--nudenet",
                nudenet.resolve("tiny-nudenet-320.onnx").toString(), "--json"));
        List<JsonObject> expected = new ArrayList<>();
        for (var e : reference.getAsJsonArray("images")) {
            JsonObject image = e.getAsJsonObject();
            args.add(INSTRUMENTS.resolve("images").resolve(image.get("image").getAsString()).toString());
            expected.add(image);
        }
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(expected.size(), lines.size());
        int nudeImages = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonObject got = JsonParser.parseString(lines.get(i)).getAsJsonObject().getAsJsonObject("nudenet");
            JsonArray want = expected.get(i).getAsJsonArray("detections");
            JsonArray have = got.getAsJsonArray("detections");
            assertEquals(want.size(), have.size(), expected.get(i).get("image").getAsString());
            boolean nude = false;
            for (int k = 0; k < want.size(); k++) {
                JsonObject w = want.get(k).getAsJsonObject();
                JsonObject h = have.get(k).getAsJsonObject();
                assertEquals(w.get("class").getAsString(), h.get("class").getAsString());
                assertEquals(w.get("box"), h.get("box"), "box as NudeNet rounds it");
                // both are printed to 6 decimals from the same float score
                assertEquals(w.get("score").getAsDouble(), h.get("score").getAsDouble(), 1.5e-6);
                nude |= w.get("score").getAsDouble() > 0.5 && NudityVerdict.EXPOSED_CLASSES.contains(
                        w.get("class").getAsString());
            }
            assertEquals(nude, got.get("nude").getAsBoolean(), "the verdict at the default threshold 0.5");
            assertEquals(0.5, got.get("threshold").getAsDouble());
            nudeImages += nude ? 1 : 0;
        }
        assertTrue(nudeImages > 0, "the random fixture finds exposed classes above 0.5: " + nudeImages);

        args.addAll(3, List.of("--nudity-threshold", "0.65"));
        CliRun strict = CliRun.run(args);
        assertEquals(0, strict.code(), strict.err());
        List<String> strictLines = strict.out().lines().toList();
        int strictNude = 0;
        for (int i = 0; i < strictLines.size(); i++) {
            boolean nude = false;
            for (var d : expected.get(i).getAsJsonArray("detections")) {
                JsonObject w = d.getAsJsonObject();
                nude |= w.get("score").getAsDouble() > 0.65
                        && NudityVerdict.EXPOSED_CLASSES.contains(w.get("class").getAsString());
            }
            JsonObject got = JsonParser.parseString(strictLines.get(i)).getAsJsonObject().getAsJsonObject("nudenet");
            assertEquals(nude, got.get("nude").getAsBoolean(), "the verdict at 0.65");
            assertEquals(0.65, got.get("threshold").getAsDouble());
            strictNude += nude ? 1 : 0;
        }
        assertTrue(strictNude < nudeImages, "a higher threshold finds fewer nude images: " + strictNude);
    }
}
