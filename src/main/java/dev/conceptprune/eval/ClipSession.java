package dev.conceptprune.eval;

import dev.conceptprune.clip.ClipScorer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * One CLIP model shared by the CLIP score and the CLIP zero-shot detector: loaded at the first
 * call, so a run whose results are all reused never loads it, and the image embeddings of a batch
 * computed once for both.
 */
public final class ClipSession implements AutoCloseable {
    private final Path dir;
    private final String key;
    private ClipScorer scorer;
    private List<BufferedImage> lastImages;
    private float[] lastEmbeddings;

    /** A session on a CLIP folder already checked with {@link ClipScorer#check}. */
    public ClipSession(Path dir) {
        this.dir = dir;
        this.key = ContentKeys.ofFolder(dir);
    }

    /** Content key of the CLIP folder's files. */
    public String key() {
        return key;
    }

    /** The loaded model. */
    ClipScorer scorer() {
        if (scorer == null) {
            scorer = ClipScorer.open(dir);
        }
        return scorer;
    }

    /** Unit-length embeddings of a batch; the same list asked twice in a row is embedded once. */
    float[] imageEmbeddings(List<BufferedImage> images) {
        if (images != lastImages) {
            lastEmbeddings = scorer().imageEmbeddings(images);
            lastImages = images;
        }
        return lastEmbeddings;
    }

    /** CLIP score of each image against its prompt (same order). */
    public double[] clipScores(List<BufferedImage> images, List<String> prompts) {
        float[] img = imageEmbeddings(images);
        float[] txt = scorer().textEmbeddings(prompts);
        double[] out = new double[images.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ClipScorer.clipScore(scorer().cosine(img, i, txt, i));
        }
        return out;
    }

    @Override
    public void close() {
        if (scorer != null) {
            scorer.close();
            scorer = null;
        }
        lastImages = null;
        lastEmbeddings = null;
    }
}
