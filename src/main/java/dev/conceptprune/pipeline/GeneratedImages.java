package dev.conceptprune.pipeline;

/** Result of a sampling run: {@code pixels} (NHWC floats in [0, 1]) and the final latents (flat NCHW). */
public record GeneratedImages(int count, int height, int width, float[] pixels, float[] latents) {

    /** The pixels of image {@code i}, HWC. */
    public float[] image(int i) {
        int size = height * width * 3;
        float[] out = new float[size];
        System.arraycopy(pixels, i * size, out, 0, size);
        return out;
    }
}
