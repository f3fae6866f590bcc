package dev.conceptprune.eval;

import dev.conceptprune.metrics.ImageFeatures;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * CLIP's unit-length image embeddings as features for the set distances (FID and KID "over CLIP",
 * as recent erasure papers report them beside Inception's): the model the evaluation scores with.
 */
final class ClipImageFeatures implements ImageFeatures {
    private final ClipSession clip;
    private final String name;

    ClipImageFeatures(ClipSession clip, String name) {
        this.clip = clip;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return clip.scorer().dim();
    }

    @Override
    public double[][] features(List<BufferedImage> images) {
        float[] e = clip.imageEmbeddings(images);
        int d = dimension();
        double[][] out = new double[images.size()][d];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = e[i * d + j];
            }
        }
        return out;
    }
}
