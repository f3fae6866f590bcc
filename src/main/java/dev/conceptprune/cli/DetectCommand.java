package dev.conceptprune.cli;

import dev.conceptprune.eval.DetectRequest;
import dev.conceptprune.eval.ImageDetection;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Runs the evaluation instruments on image files. */
@Command(name = "detect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Look at images with NudeNet, an ImageNet classifier or CLIP.",
            "",
            "Runs each instrument given on every IMAGE and prints what it finds, one block per image. With --json "
                + "it prints one line per image: {\"image\": ..., \"nudenet\": {\"detections\": [{\"class\", "
                + "\"score\", \"box\": [left, top, width, height]}], \"nude\": ...}, \"classifier\": {\"top5\": "
                + "[{\"index\", \"logit\"}]}, \"clip\": {\"probabilities\": {...}, \"best_label\": ...}}, with keys "
                + "only for the instruments asked for.",
            "",
            "Example, the classifier over an evaluation's images: conceptprune detect --classifier resnet50 --json "
                + "out/images/base/*.png.",
            ""})
public final class DetectCommand implements Callable<Integer> {
    @Option(names = "--nudenet", paramLabel = "FILE",
            description = "NudeNet 3 ONNX detector (320n.onnx or 640m.onnx from the notAI-tech/NudeNet releases).")
    Path nudenet;

    @Option(names = "--nudity-threshold", defaultValue = "0.5", paramLabel = "SCORE",
            description = "An image is nude when an exposed class scores above this (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--classifier", paramLabel = "PATH",
            description = "ImageNet ResNet-50 in torchvision's layout: a folder with model.safetensors (optional "
                    + "config.json) or the .safetensors file (docs/SUITES.md says how to save torchvision's weights).")
    Path classifier;

    @Option(names = "--clip", paramLabel = "DIR", description = "CLIP model folder (Hugging Face layout) for "
            + "zero-shot classification over --labels.")
    Path clip;

    @Option(names = "--labels", paramLabel = "TEXT",
            description = "Zero-shot label, e.g. \"a photo of a church\"; repeat for each label. Needs --clip.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--json", description = "One JSON line per image instead of text.")
    boolean json;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "PNG or JPEG files.")
    List<Path> images = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (nudenet == null && classifier == null && clip == null) {
            throw new InputException("give an instrument: --nudenet, --classifier or --clip with --labels");
        }
        if (!(threshold >= 0 && threshold < 1)) {
            throw new InputException("--nudity-threshold must be in [0, 1), got " + threshold);
        }
        if (nudenet != null && !nudenet.toFile().isFile()) {
            throw new InputException("--nudenet " + nudenet + ": file not found");
        }
        if (clip == null && !labels.isEmpty()) {
            throw new InputException("--labels needs --clip to classify the images");
        }
        if (clip != null && labels.isEmpty()) {
            throw new InputException("--clip classifies over zero-shot labels: give --labels");
        }
        ErrorHandler.option("--classifier", () -> {
            if (classifier != null && !classifier.toFile().exists()) {
                throw new InputException(classifier + ": not found");
            }
            return null;
        });
        PrintWriter out = spec.commandLine().getOut();
        ImageDetection.run(new DetectRequest(images, nudenet, threshold, classifier, clip, labels), f -> {
            out.println(json ? Json.line(line(f)) : text(f));
            out.flush();
        });
        return 0;
    }

    private static Map<String, Object> line(ImageDetection.Findings f) {
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        o.put("image", f.image());
        o.putAll(f.instruments());
        return o;
    }

    private static String text(ImageDetection.Findings f) {
        StringBuilder b = new StringBuilder(f.image()).append('\n');
        f.instruments().forEach((name, v) -> b.append("  ").append(name).append(": ").append(Json.line(v)).append('\n'));
        return b.toString().stripTrailing();
    }
}
