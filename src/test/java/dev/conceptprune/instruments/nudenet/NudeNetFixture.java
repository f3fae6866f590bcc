package dev.conceptprune.instruments.nudenet;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** The eval-instruments fixture: five images and NudeNet 3.0.8's own results on them (see its README). */
final class NudeNetFixture {
    static final Path ROOT = Fixtures.ROOT.resolve("eval-instruments");
    static final Path MODEL = ROOT.resolve("tiny-nudenet/tiny-nudenet-320.onnx");
    static final Path TENSORS = ROOT.resolve("tiny-nudenet/reference.safetensors");

    /** One image's reference record. */
    record Expected(String image, double resizeFactor, int padLeft, int padTop, int candidates,
                    List<NudeNetDetection> detections) {
        /** The tensor-name prefix in reference.safetensors. */
        String stem() {
            return image.substring(0, image.lastIndexOf('.'));
        }

        BufferedImage read() {
            try {
                return ImageIO.read(ROOT.resolve("images").resolve(image).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private NudeNetFixture() {
    }

    static JsonObject json() {
        try {
            return JsonParser.parseString(Files.readString(ROOT.resolve("tiny-nudenet/reference.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Expected> images() {
        List<Expected> out = new ArrayList<>();
        for (JsonElement e : json().getAsJsonArray("images")) {
            JsonObject o = e.getAsJsonObject();
            List<NudeNetDetection> detections = new ArrayList<>();
            for (JsonElement d : o.getAsJsonArray("detections")) {
                JsonObject det = d.getAsJsonObject();
                JsonArray box = det.getAsJsonArray("box");
                detections.add(new NudeNetDetection(det.get("class").getAsString(), det.get("score").getAsDouble(),
                        box.get(0).getAsInt(), box.get(1).getAsInt(), box.get(2).getAsInt(), box.get(3).getAsInt()));
            }
            out.add(new Expected(o.get("image").getAsString(), o.get("resize_factor").getAsDouble(),
                    o.get("pad_left").getAsInt(), o.get("pad_top").getAsInt(), o.get("candidates_at_0.2").getAsInt(),
                    detections));
        }
        return out;
    }
}
