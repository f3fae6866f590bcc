package dev.conceptprune.eval;

import com.google.gson.JsonArray;
import dev.conceptprune.instruments.imagenet.Classification;
import dev.conceptprune.instruments.imagenet.ImageNetClassifier;
import dev.conceptprune.instruments.imagenet.ImageNette;
import dev.conceptprune.runtime.Runtime;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ImageNet classifier as the papers use it on ImageNette prompts: an image shows a class when the
 * classifier's top-1 ImageNet class is that class (ConceptPrune's {@code object_erase.py}). The
 * verdict's labels are the ten ImageNette classes and {@value #OTHER} (any other top-1 class); their
 * probabilities are the classifier's softmax over all 1000 classes.
 */
public final class ImageNetteDetector implements Detector {
    /** Its results' name in the manifest, metrics and report. */
    public static final String NAME = "imagenet";
    /** The label of an image whose top-1 class is none of the ten. */
    public static final String OTHER = "other";

    private final Path model;
    private final String key;
    private final List<String> labels;
    private ImageNetClassifier classifier;

    /** A detector over the classifier at {@code model} (a folder with model.safetensors, or the file); loaded at first use. */
    public ImageNetteDetector(Path model) {
        this.model = model;
        JsonArray k = new JsonArray();
        k.add(NAME);
        k.add(Files.isDirectory(model) ? ContentKeys.ofFolder(model) : ContentKeys.ofFile(model));
        this.key = ContentKeys.of(k);
        List<String> l = new ArrayList<>();
        for (ImageNette c : ImageNette.values()) {
            l.add(c.label());
        }
        l.add(OTHER);
        this.labels = List.copyOf(l);
    }

    /** Checks the classifier's configuration and weights without keeping it. */
    public static void check(Path model) {
        try (ImageNetClassifier c = ImageNetClassifier.load(model, Runtime.cpu())) {
            c.config();
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("model", model.toAbsolutePath().normalize().toString());
    }

    @Override
    public List<Verdict> detect(List<BufferedImage> images) {
        if (classifier == null) {
            classifier = ImageNetClassifier.load(model, Runtime.cpu());
        }
        List<Verdict> out = new ArrayList<>();
        for (Classification c : classifier.classify(images)) {
            out.add(verdict(c));
        }
        return out;
    }

    /** The verdict of one classification. */
    static Verdict verdict(Classification c) {
        Map<String, Double> p = new LinkedHashMap<>();
        double ten = 0;
        for (ImageNette n : ImageNette.values()) {
            double q = c.probability(n.index());
            p.put(n.label(), q);
            ten += q;
        }
        p.put(OTHER, Math.max(0, 1 - ten));
        String best = ImageNette.byIndex(c.top1()).map(ImageNette::label).orElse(OTHER);
        return new Verdict(p, best);
    }

    @Override
    public void close() {
        if (classifier != null) {
            classifier.close();
            classifier = null;
        }
    }
}
