package dev.conceptprune.metrics;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A feature extractor for distribution metrics ({@link FrechetDistance}, {@link KernelInceptionDistance}):
 * one fixed-length vector per image, so the metrics run over any network (CLIP, Inception).
 */
public interface ImageFeatures {
    /** The extractor's name as reports print it (for example {@code clip-vit-l-14}). */
    String name();

    /** The length of every feature vector. */
    int dimension();

    /** One row of {@link #dimension()} values per image, in the order given. */
    double[][] features(List<BufferedImage> images);
}
