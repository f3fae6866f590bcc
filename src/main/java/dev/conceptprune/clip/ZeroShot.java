package dev.conceptprune.clip;

import java.util.List;

/**
 * A zero-shot classification of one image: per label the logit ({@code exp(logit_scale)} times the
 * cosine similarity) and the softmax probability over all labels.
 */
public record ZeroShot(List<String> labels, double[] logits, double[] probabilities) {

    /** Copies the inputs so that the record stays immutable. */
    public ZeroShot {
        labels = List.copyOf(labels);
        logits = logits.clone();
        probabilities = probabilities.clone();
        if (labels.isEmpty() || logits.length != labels.size() || probabilities.length != labels.size()) {
            throw new IllegalArgumentException("need one logit and one probability per label, and at least one label");
        }
    }

    @Override
    public double[] logits() {
        return logits.clone();
    }

    @Override
    public double[] probabilities() {
        return probabilities.clone();
    }

    /** Index of the most probable label (the first one on a tie). */
    public int best() {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }

    public String bestLabel() {
        return labels.get(best());
    }
}
