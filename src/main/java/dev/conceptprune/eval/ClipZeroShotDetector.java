package dev.conceptprune.eval;

import com.google.gson.JsonArray;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP zero-shot classification as a detector: the softmax over {@code exp(logit_scale) * cosine}
 * of the image with each label's text embedding.
 */
public final class ClipZeroShotDetector implements Detector {
    /** The name of its results; metrics.json and manifest.jsonl keep their original keys for it. */
    public static final String NAME = "zero_shot";

    private final ClipSession clip;
    private final List<String> labels;
    private final String key;
    private float[] labelEmbeddings;

    /** A detector over labels (at least one) using a shared CLIP session. */
    public ClipZeroShotDetector(ClipSession clip, List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("zero-shot classification needs at least one label");
        }
        this.clip = clip;
        this.labels = List.copyOf(labels);
        JsonArray k = new JsonArray();
        k.add(NAME);
        k.add(clip.key());
        labels.forEach(k::add);
        this.key = ContentKeys.of(k);
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
    public List<Verdict> detect(List<BufferedImage> images) {
        if (labelEmbeddings == null) {
            labelEmbeddings = clip.scorer().textEmbeddings(labels);
        }
        float[] img = clip.imageEmbeddings(images);
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            out.add(Verdict.of(clip.scorer().zeroShot(img, i, labelEmbeddings, labels)));
        }
        return out;
    }
}
