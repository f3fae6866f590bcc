package dev.conceptprune.instruments.nudenet;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.RgbImage;
import java.awt.image.BufferedImage;

/**
 * An image prepared as NudeNet 3.0.8's {@code _read_image} prepares it: the longer side resized to
 * the model's input size (OpenCV bilinear), the shorter padded with black by half the difference,
 * rounded down, on both sides (so it can end one pixel short), resized again to exactly square, then
 * scaled to [0, 1] as float32 in NCHW order. The factor and pads map boxes back to the image.
 */
public final class NudeNetInput {
    private final float[] tensor;
    private final int size;
    private final double resizeFactor;
    private final int padLeft;
    private final int padTop;

    private NudeNetInput(float[] tensor, int size, double resizeFactor, int padLeft, int padTop) {
        this.tensor = tensor;
        this.size = size;
        this.resizeFactor = resizeFactor;
        this.padLeft = padLeft;
        this.padTop = padTop;
    }

    /**
     * The input of a {@code size} x {@code size} model for {@code image}, read as RGB 8-bit.
     *
     * @throws InputException when the image is so elongated that its shorter side resizes to nothing
     */
    public static NudeNetInput of(BufferedImage image, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("input size must be >= 1, got " + size);
        }
        RgbImage rgb = RgbImage.of(image);
        int width = rgb.width();
        int height = rgb.height();
        double aspect = (double) width / height;
        int newWidth;
        int newHeight;
        if (height > width) {
            newHeight = size;
            newWidth = (int) Math.rint(size * aspect);
        } else {
            newWidth = size;
            newHeight = (int) Math.rint(size / aspect);
        }
        if (newWidth < 1 || newHeight < 1) {
            throw new InputException("a " + width + "x" + height + " image is too elongated for NudeNet: its shorter"
                    + " side would resize to 0 pixels at " + size);
        }
        double resizeFactor = Math.sqrt((double) ((long) width * width + (long) height * height)
                / ((long) newWidth * newWidth + (long) newHeight * newHeight));

        byte[] resized = OpenCvLinearResize.resize(interleaved(rgb), width, height, newWidth, newHeight);
        int padLeft = (size - newWidth) / 2;
        int padTop = (size - newHeight) / 2;
        int paddedWidth = newWidth + 2 * padLeft;
        int paddedHeight = newHeight + 2 * padTop;
        byte[] padded = new byte[3 * paddedWidth * paddedHeight];
        for (int y = 0; y < newHeight; y++) {
            System.arraycopy(resized, 3 * y * newWidth, padded, 3 * ((y + padTop) * paddedWidth + padLeft), 3 * newWidth);
        }
        byte[] square = OpenCvLinearResize.resize(padded, paddedWidth, paddedHeight, size, size);
        return new NudeNetInput(planarUnit(square, size), size, resizeFactor, padLeft, padTop);
    }

    private static byte[] interleaved(RgbImage image) {
        int w = image.width();
        byte[] out = new byte[3 * w * image.height()];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    out[3 * (y * w + x) + c] = (byte) image.at(x, y, c);
                }
            }
        }
        return out;
    }

    /** HWC bytes to CHW float32 in [0, 1]: NudeNet divides the float32 image by 255 in float32. */
    private static float[] planarUnit(byte[] hwc, int size) {
        int plane = size * size;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + i] = (hwc[3 * i + c] & 0xff) / 255f;
            }
        }
        return out;
    }

    /** The [1, 3, size, size] tensor, flat; the caller must not modify it. */
    public float[] tensor() {
        return tensor;
    }

    /** The model's input side in pixels. */
    public int size() {
        return size;
    }

    /** Original pixels per input pixel: the ratio of the diagonals before and after the first resize. */
    public double resizeFactor() {
        return resizeFactor;
    }

    /** Black columns added on the left (and on the right) before the final resize. */
    public int padLeft() {
        return padLeft;
    }

    /** Black rows added on top (and at the bottom) before the final resize. */
    public int padTop() {
        return padTop;
    }
}
