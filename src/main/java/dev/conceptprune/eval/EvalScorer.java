package dev.conceptprune.eval;

import com.google.gson.JsonArray;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Scores saved images with CLIP: the CLIP score against the image's own prompt and, with labels,
 * a zero-shot classification. Images are read back from their PNGs so that a fresh run and a
 * resumed one score the same 8-bit pixels. CLIP is loaded at the first call, so a re-run whose
 * scores are all reused never loads it.
 */
public final class EvalScorer implements AutoCloseable {
    /** Images decoded and embedded at a time: bounds memory on large prompt sets. */
    private static final int CHUNK = 16;

    private final Path clipDir;
    private final List<String> labels;
    private final String key;
    private ClipScorer clip;
    private float[] labelEmbeddings;

    /** A scorer for a checked CLIP folder (see {@link ClipScorer#check}) and zero-shot labels, possibly none. */
    public EvalScorer(Path clipDir, List<String> labels) {
        this.clipDir = clipDir;
        this.labels = List.copyOf(labels);
        JsonArray k = new JsonArray();
        k.add(FileStamp.ofFolder(clipDir));
        labels.forEach(k::add);
        this.key = Sha256.of(k.toString());
    }

    /** Identity of the scores this scorer computes: CLIP files and labels. */
    public String key() {
        return key;
    }

    /** Scores of the images, in order; {@code out} is the folder their files are relative to. */
    public List<ImageScores> score(List<EvalImage> images, Path out) {
        open();
        List<ImageScores> scores = new ArrayList<>();
        for (int from = 0; from < images.size(); from += CHUNK) {
            List<EvalImage> chunk = images.subList(from, Math.min(images.size(), from + CHUNK));
            List<BufferedImage> pixels = new ArrayList<>();
            List<String> prompts = new ArrayList<>();
            for (EvalImage i : chunk) {
                pixels.add(read(out.resolve(i.file())));
                prompts.add(i.settings().prompt());
            }
            float[] img = clip.imageEmbeddings(pixels);
            float[] txt = clip.textEmbeddings(prompts);
            for (int i = 0; i < chunk.size(); i++) {
                ZeroShot z = labels.isEmpty() ? null : clip.zeroShot(img, i, labelEmbeddings, labels);
                scores.add(ImageScores.of(ClipScorer.clipScore(clip.cosine(img, i, txt, i)), z));
            }
        }
        return scores;
    }

    private void open() {
        if (clip == null) {
            clip = ClipScorer.open(clipDir);
            labelEmbeddings = labels.isEmpty() ? null : clip.textEmbeddings(labels);
        }
    }

    private static BufferedImage read(Path file) {
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
        if (clip != null) {
            clip.close();
        }
    }
}
