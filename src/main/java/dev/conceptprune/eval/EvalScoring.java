package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import dev.conceptprune.clip.ClipScorer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * What an evaluation measures on its images: the CLIP score against each image's prompt (with a
 * CLIP folder) and the verdicts of its detectors. Images are read back from their PNGs so that a
 * fresh run and a resumed one measure the same 8-bit pixels; every result goes to the
 * {@link EvalStore} under the image's and the scorer's keys, so that it is computed once.
 */
public final class EvalScoring implements AutoCloseable {
    /** Images decoded and measured at a time: bounds memory on large prompt sets. */
    private static final int CHUNK = 16;

    private final ClipSession clip;
    private final List<Detector> detectors;

    private EvalScoring(ClipSession clip, List<Detector> detectors) {
        this.clip = clip;
        this.detectors = List.copyOf(detectors);
    }

    /**
     * Scoring with a CLIP folder (checked with {@link ClipScorer#check}, or null for no CLIP
     * score), CLIP zero-shot detection over {@code labels} when there are any, then {@code more}
     * detectors. Closing the scoring closes them all.
     */
    public static EvalScoring open(Path clipDir, List<String> labels, List<Detector> more) {
        if (clipDir == null && !labels.isEmpty()) {
            throw new InputException("zero-shot labels need a CLIP model to classify the images");
        }
        ClipSession clip = clipDir == null ? null : new ClipSession(clipDir);
        List<Detector> all = new ArrayList<>();
        if (!labels.isEmpty()) {
            all.add(new ClipZeroShotDetector(clip, labels));
        }
        all.addAll(more);
        return new EvalScoring(clip, all);
    }

    /** True when there is anything to measure. */
    public boolean active() {
        return clip != null || !detectors.isEmpty();
    }

    /** What is measured, for progress lines: "CLIP" and the detectors' names. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (clip != null) {
            parts.add("CLIP");
        }
        detectors.stream().filter(d -> !(d instanceof ClipZeroShotDetector)).forEach(d -> parts.add(d.name()));
        return String.join(", ", parts);
    }

    /** CLIP's image embeddings as set-distance features, or null without a CLIP model. */
    dev.conceptprune.metrics.ImageFeatures clipFeatures(Path clipDir) {
        return clip == null ? null : new ClipImageFeatures(clip, "clip:" + clipDir.toAbsolutePath().normalize()
                .getFileName());
    }

    /** The detectors, in report order. */
    public List<Detector> detectors() {
        return detectors;
    }

    /** The images among {@code images} that lack a result in the store. */
    public List<EvalImage> missing(List<EvalImage> images, EvalStore store) {
        return images.stream().filter(i -> needsClip(i, store) || !needs(i, store).isEmpty()).toList();
    }

    /**
     * Computes and stores the results the store lacks for the images; {@code out} is the folder
     * their files are relative to. Returns how many images needed anything.
     */
    public int score(List<EvalImage> images, EvalStore store, Path out) {
        List<EvalImage> missing = missing(images, store);
        for (int from = 0; from < missing.size(); from += CHUNK) {
            List<EvalImage> chunk = missing.subList(from, Math.min(missing.size(), from + CHUNK));
            List<BufferedImage> pixels = new ArrayList<>();
            for (EvalImage i : chunk) {
                pixels.add(read(out.resolve(i.file())));
            }
            scoreClip(chunk, pixels, store);
            for (Detector d : detectors) {
                List<Integer> rows = new ArrayList<>();
                for (int k = 0; k < chunk.size(); k++) {
                    if (store.verdict(chunk.get(k), d.key()) == null) {
                        rows.add(k);
                    }
                }
                if (rows.isEmpty()) {
                    continue;
                }
                List<Verdict> verdicts = d.detect(rows.size() == chunk.size() ? pixels
                        : rows.stream().map(pixels::get).toList());
                for (int k = 0; k < rows.size(); k++) {
                    store.putVerdict(chunk.get(rows.get(k)), d.key(), verdicts.get(k));
                }
            }
        }
        return missing.size();
    }

    /** Every image's stored results by file; images without all of them are left out. */
    public Map<String, ImageScores> gather(List<EvalImage> images, EvalStore store) {
        Map<String, ImageScores> out = new LinkedHashMap<>();
        if (!active()) {
            return out;
        }
        for (EvalImage i : images) {
            Double score = clip == null ? null : store.clipScore(i, clip.key());
            Map<String, Verdict> verdicts = new LinkedHashMap<>();
            for (Detector d : detectors) {
                Verdict v = store.verdict(i, d.key());
                if (v != null) {
                    verdicts.put(d.name(), v);
                }
            }
            if ((clip == null || score != null) && verdicts.size() == detectors.size()) {
                out.put(i.file(), new ImageScores(score, verdicts));
            }
        }
        return out;
    }

    private void scoreClip(List<EvalImage> chunk, List<BufferedImage> pixels, EvalStore store) {
        if (clip == null) {
            return;
        }
        List<Integer> rows = new ArrayList<>();
        for (int k = 0; k < chunk.size(); k++) {
            if (needsClip(chunk.get(k), store)) {
                rows.add(k);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        boolean all = rows.size() == chunk.size();
        double[] scores = clip.clipScores(all ? pixels : rows.stream().map(pixels::get).toList(),
                rows.stream().map(k -> chunk.get(k).settings().prompt()).toList());
        for (int k = 0; k < rows.size(); k++) {
            store.putClipScore(chunk.get(rows.get(k)), clip.key(), scores[k]);
        }
    }

    private boolean needsClip(EvalImage i, EvalStore store) {
        return clip != null && store.clipScore(i, clip.key()) == null;
    }

    private List<Detector> needs(EvalImage i, EvalStore store) {
        return detectors.stream().filter(d -> store.verdict(i, d.key()) == null).toList();
    }

    /** A PNG the run wrote, read back as the detectors see it; a missing or damaged one is an I/O failure. */
    static BufferedImage read(Path file) {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IOException("not a readable image");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        detectors.forEach(Detector::close);
        if (clip != null) {
            clip.close();
        }
    }
}
