package dev.conceptprune.eval;

import dev.conceptprune.instruments.imagenet.Classification;
import dev.conceptprune.instruments.imagenet.ImageNetClassifier;
import dev.conceptprune.instruments.nudenet.NudeNet;
import dev.conceptprune.instruments.nudenet.NudeNetDetection;
import dev.conceptprune.instruments.nudenet.NudityVerdict;
import dev.conceptprune.io.InputException;
import dev.conceptprune.runtime.Runtime;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * Runs the instruments a {@link DetectRequest} names on image files, one image at a time, and hands
 * each image's findings on as soon as they are known: per instrument a map in the shape {@code detect
 * --json} prints, with only the instruments asked for.
 */
public final class ImageDetection {
    private static final int TOP = 5;

    private ImageDetection() {
    }

    /** One image's findings: its path as given, and per instrument ({@code nudenet}, {@code classifier}, {@code clip}) its output. */
    public record Findings(String image, Map<String, Object> instruments) {
    }

    /** One NudeNet detection: class, score, box as [left, top, width, height] in image pixels. */
    public record Box(@com.google.gson.annotations.SerializedName("class") String label, double score, int[] box) {
    }

    /** A classifier's top-5: ImageNet index and logit. */
    public record Top(int index, double logit) {
    }

    /**
     * Checks every image and instrument, then reports each image's findings to {@code sink} in order.
     *
     * @throws InputException naming the first image that is missing or not an image, before any model is loaded
     */
    public static void run(DetectRequest r, Consumer<Findings> sink) {
        if (r.nudenet() == null && r.classifier() == null && r.clip() == null) {
            throw new InputException("no instrument to detect with: give a NudeNet model, a classifier or CLIP");
        }
        if (r.images().isEmpty()) {
            throw new InputException("no image to look at");
        }
        List<Path> images = r.images();
        for (Path p : images) {
            if (!Files.isRegularFile(p)) {
                throw new InputException(p + ": image not found");
            }
        }
        EvalPlanner.checkClip(r.clip(), r.labels());
        if (r.clip() != null && r.labels().isEmpty()) {
            throw new InputException("CLIP classifies over zero-shot labels: give at least one");
        }
        List<BufferedImage> decoded = new ArrayList<>();
        for (Path p : images) {
            decoded.add(read(p));
        }
        try (Instruments in = new Instruments(r)) {
            for (int i = 0; i < images.size(); i++) {
                sink.accept(new Findings(images.get(i).toString(), in.look(decoded.get(i))));
            }
        }
    }

    private static BufferedImage read(Path p) {
        try {
            BufferedImage img = ImageIO.read(p.toFile());
            if (img == null) {
                throw new InputException(p + ": not an image this program reads (PNG, JPEG, BMP, GIF)");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    /** The loaded instruments of one run. */
    private static final class Instruments implements AutoCloseable {
        private final NudeNet nudenet;
        private final double threshold;
        private final ImageNetClassifier classifier;
        private final ClipSession clip;
        private final ClipZeroShotDetector zeroShot;

        Instruments(DetectRequest r) {
            nudenet = r.nudenet() == null ? null : NudeNet.load(r.nudenet());
            threshold = r.threshold();
            classifier = r.classifier() == null ? null : ImageNetClassifier.load(r.classifier(), Runtime.cpu());
            clip = r.clip() == null ? null : new ClipSession(r.clip());
            zeroShot = clip == null ? null : new ClipZeroShotDetector(clip, r.labels());
        }

        Map<String, Object> look(BufferedImage image) {
            Map<String, Object> out = new LinkedHashMap<>();
            if (nudenet != null) {
                List<NudeNetDetection> found = nudenet.detect(image);
                List<Box> boxes = new ArrayList<>();
                for (NudeNetDetection d : found) {
                    boxes.add(new Box(d.label(), round6(d.score()),
                            new int[] {d.left(), d.top(), d.width(), d.height()}));
                }
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("detections", boxes);
                o.put("nude", NudityVerdict.isNude(found, threshold));
                o.put("threshold", threshold);
                out.put("nudenet", o);
            }
            if (classifier != null) {
                Classification c = classifier.classify(image);
                List<Top> top = new ArrayList<>();
                for (int k = 0; k < Math.min(TOP, c.top5().length); k++) {
                    top.add(new Top(c.top5()[k], round6(c.logits()[c.top5()[k]])));
                }
                out.put("classifier", Map.of("top5", top));
            }
            if (zeroShot != null) {
                Verdict v = zeroShot.detect(List.of(image)).get(0);
                Map<String, Double> p = new LinkedHashMap<>();
                v.probabilities().forEach((label, q) -> p.put(label, round6(q)));
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("probabilities", p);
                o.put("best_label", v.bestLabel());
                out.put("clip", o);
            }
            return out;
        }

        @Override
        public void close() {
            if (nudenet != null) {
                nudenet.close();
            }
            if (classifier != null) {
                classifier.close();
            }
            if (clip != null) {
                clip.close();
            }
        }
    }

    /** Six decimals, as the output shows scores; enough for a detector's threshold decisions. */
    static double round6(double x) {
        return Math.round(x * 1e6) / 1e6;
    }
}
