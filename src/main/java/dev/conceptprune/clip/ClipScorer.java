package dev.conceptprune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.io.WeightFormatException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Image-text metrics with a CLIP model in Hugging Face layout: normalised embeddings, cosine
 * similarity, CLIP score and zero-shot classification. Owns the model's weights; close it to
 * free them.
 */
public final class ClipScorer implements AutoCloseable {
    /** Images or texts per forward pass: bounds peak memory on long lists. */
    private static final int BATCH = 16;
    private static final String PREPROCESSOR = "preprocessor_config.json";

    private final NDManager manager;
    private final ClipModel model;
    private final ClipTokenizer tokenizer;
    private final ClipImageProcessor processor;

    private ClipScorer(NDManager manager, ClipModel model, ClipTokenizer tokenizer, ClipImageProcessor processor) {
        this.manager = manager;
        this.model = model;
        this.tokenizer = tokenizer;
        this.processor = processor;
    }

    /**
     * Opens a CLIP folder: {@code config.json}, {@code model.safetensors}, the tokenizer files and
     * {@code preprocessor_config.json}.
     *
     * @throws WeightFormatException naming the file and key of a missing or inconsistent setting
     */
    public static ClipScorer open(Path dir) {
        return open(dir, Runtime.cpu());
    }

    /** As {@link #open(Path)}, computing with {@code runtime}. */
    public static ClipScorer open(Path dir, Runtime runtime) {
        Path processorFile = dir.resolve(PREPROCESSOR);
        ClipImageProcessor processor = ClipImageProcessor.read(processorFile);
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        NDManager manager = runtime.newManager();
        try {
            ClipModel model = ClipModel.load(dir, manager);
            int side = model.config().vision().imageSize();
            int[] crop = processor.cropSize();
            if (crop != null && (crop[0] != side || crop[1] != side)) {
                throw new WeightFormatException(processorFile, "config key 'crop_size' is " + crop[0] + "x" + crop[1]
                        + " but the vision model takes " + side + "x" + side + " images");
            }
            return new ClipScorer(manager, model, tokenizer, processor);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Checks a CLIP folder without loading its weights: both configs, the tokenizer files and the
     * header of {@code model.safetensors}; lets a caller refuse a wrong folder before long work.
     *
     * @throws WeightFormatException naming the file that is missing or not CLIP's
     */
    public static void check(Path dir) {
        ClipConfig.read(dir.resolve("config.json"));
        ClipImageProcessor.read(dir.resolve(PREPROCESSOR));
        ClipTokenizer.load(dir);
        try (TensorStore store = TensorStore.open(dir.resolve("model.safetensors"))) {
            if (!store.has("logit_scale")) {
                throw new WeightFormatException(dir.resolve("model.safetensors"), "no tensor 'logit_scale': not a CLIP model");
            }
        }
    }

    /** Length of an embedding ({@code projection_dim}). */
    public int dim() {
        return model.config().projectionDim();
    }

    /** {@code exp(logit_scale)}. */
    public float logitScale() {
        return model.logitScale();
    }

    /** Unit-length image embeddings, row-major [images.size(), dim()]. */
    public float[] imageEmbeddings(List<BufferedImage> images) {
        float[] out = new float[images.size() * dim()];
        for (int from = 0; from < images.size(); from += BATCH) {
            List<BufferedImage> chunk = images.subList(from, Math.min(images.size(), from + BATCH));
            try (NDManager scope = manager.newSubManager()) {
                NDArray features = model.imageFeatures(processor.pixelValues(scope, chunk));
                System.arraycopy(features.toFloatArray(), 0, out, from * dim(), chunk.size() * dim());
            }
        }
        return normalizeRows(out);
    }

    /** Unit-length text embeddings, row-major [texts.size(), dim()]; prompts longer than the context are truncated. */
    public float[] textEmbeddings(List<String> texts) {
        float[] out = new float[texts.size() * dim()];
        for (int from = 0; from < texts.size(); from += BATCH) {
            int n = Math.min(texts.size(), from + BATCH) - from;
            int[][] ids = new int[n][];
            for (int i = 0; i < n; i++) {
                ids[i] = tokenizer.encode(texts.get(from + i));
            }
            try (NDManager scope = manager.newSubManager()) {
                NDArray features = model.textFeatures(scope, ids);
                System.arraycopy(features.toFloatArray(), 0, out, from * dim(), n * dim());
            }
        }
        return normalizeRows(out);
    }

    /** Cosine similarity of an image and a text, in [-1, 1]. */
    public double cosine(BufferedImage image, String text) {
        return cosine(imageEmbeddings(List.of(image)), 0, textEmbeddings(List.of(text)), 0);
    }

    /** Cosine similarity of row {@code rowA} of {@code a} and row {@code rowB} of {@code b}, both unit-length embeddings. */
    public double cosine(float[] a, int rowA, float[] b, int rowB) {
        return dot(a, rowA * dim(), b, rowB * dim(), dim());
    }

    /** CLIP score as torchmetrics defines it: {@code 100 * max(cosine, 0)}. */
    public double clipScore(BufferedImage image, String text) {
        return clipScore(cosine(image, text));
    }

    /** CLIP score of a cosine similarity. */
    public static double clipScore(double cosine) {
        return 100 * Math.max(cosine, 0);
    }

    /** Softmax over {@code exp(logit_scale) * cosine} of the image with each label. */
    public ZeroShot zeroShot(BufferedImage image, List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("zero-shot classification needs at least one label");
        }
        return zeroShot(imageEmbeddings(List.of(image)), 0, textEmbeddings(labels), labels);
    }

    /**
     * Zero-shot classification of row {@code image} of {@code imageEmbeddings} against label
     * embeddings computed once by {@link #textEmbeddings}, for scoring many images.
     */
    public ZeroShot zeroShot(float[] imageEmbeddings, int image, float[] labelEmbeddings, List<String> labels) {
        double[] logits = new double[labels.size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            logits[i] = logitScale() * cosine(imageEmbeddings, image, labelEmbeddings, i);
            max = Math.max(max, logits[i]);
        }
        double[] probs = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < probs.length; i++) {
            // Shifted by the maximum so that exp cannot overflow.
            probs[i] = Math.exp(logits[i] - max);
            sum += probs[i];
        }
        for (int i = 0; i < probs.length; i++) {
            probs[i] /= sum;
        }
        return new ZeroShot(labels, logits, probs);
    }

    @Override
    public void close() {
        manager.close();
    }

    private float[] normalizeRows(float[] rows) {
        int d = dim();
        for (int r = 0; r < rows.length / d; r++) {
            double norm = Math.sqrt(dot(rows, r * d, rows, r * d, d));
            for (int i = r * d; i < (r + 1) * d; i++) {
                rows[i] = (float) (rows[i] / norm);
            }
        }
        return rows;
    }

    private static double dot(float[] a, int offsetA, float[] b, int offsetB, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) a[offsetA + i] * b[offsetB + i];
        }
        return s;
    }
}
