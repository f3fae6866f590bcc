package dev.conceptprune.instruments.imagenet;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * A classifier's verdict on one image: the logits of every class and the indices of the
 * {@value #TOP} highest, highest first (ties to the lower index).
 */
public record Classification(float[] logits, int[] top5) {
    /** How many classes {@link #top5()} lists (fewer when there are fewer classes). */
    public static final int TOP = 5;

    /** Copies the arrays so that the record stays immutable. */
    public Classification {
        logits = logits.clone();
        top5 = top5.clone();
    }

    /** The classification that {@code logits} imply. */
    public static Classification of(float[] logits) {
        int[] top = IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i))
                .limit(TOP).mapToInt(Integer::intValue).toArray();
        return new Classification(logits, top);
    }

    /** A copy of the logits. */
    @Override
    public float[] logits() {
        return logits.clone();
    }

    /** A copy of the top indices. */
    @Override
    public int[] top5() {
        return top5.clone();
    }

    /** The most likely class. */
    public int top1() {
        return top5[0];
    }

    /** True when {@code index} is among the top {@value #TOP}. */
    public boolean inTop5(int index) {
        return Arrays.stream(top5).anyMatch(i -> i == index);
    }

    /** The softmax probability of class {@code index}. */
    public double probability(int index) {
        double max = logits[top5[0]];
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return Math.exp(logits[index] - max) / sum;
    }
}
