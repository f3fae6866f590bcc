package dev.conceptprune.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.io.AtomicFiles;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Conversions between VAE tensors and 8-bit RGB images, computed exactly as diffusers'
 * {@code VaeImageProcessor} does, so that PNGs match the Python pipeline's byte for byte.
 */
public final class Images {
    private Images() {
    }

    /** {@code clamp(x / 2 + 0.5, 0, 1)} of a decoded batch [B, 3, H, W], returned as NHWC floats. */
    public static float[] toUnitRange(NDArray decoded) {
        checkRgb(decoded);
        try (NDManager scope = decoded.getManager().newSubManager()) {
            decoded.tempAttach(scope);
            return decoded.div(2f).add(0.5f).clip(0f, 1f).transpose(0, 2, 3, 1).toFloatArray();
        }
    }

    /** One RGB image per batch entry of a decoded batch [B, 3, H, W]. */
    public static List<BufferedImage> toImages(NDArray decoded) {
        float[] unit = toUnitRange(decoded);
        Shape s = decoded.getShape();
        int height = Math.toIntExact(s.get(2));
        int width = Math.toIntExact(s.get(3));
        int perImage = height * width * 3;
        List<BufferedImage> out = new ArrayList<>();
        for (int b = 0; b < s.get(0); b++) {
            out.add(toImage(unit, b * perImage, height, width));
        }
        return out;
    }

    /**
     * An RGB image from NHWC floats in [0, 1] starting at {@code offset}: each byte is
     * {@code round(x * 255)} computed in float32 with ties to even, like numpy's
     * {@code (image * 255).round().astype("uint8")}; values outside [0, 1] saturate.
     */
    public static BufferedImage toImage(float[] nhwc, int offset, int height, int width) {
        if (offset < 0 || (long) offset + 3L * height * width > nhwc.length) {
            throw new IllegalArgumentException("need " + 3L * height * width + " values from offset " + offset
                    + ", array has " + nhwc.length);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int i = offset;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = toByte(nhwc[i++]);
                int g = toByte(nhwc[i++]);
                int b = toByte(nhwc[i++]);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int toByte(float unit) {
        float scaled = unit * 255f;
        // Math.rint rounds half to even, as numpy's round does.
        return (int) Math.max(0, Math.min(255, Math.rint(scaled)));
    }

    /** Writes a PNG atomically: the file appears complete or not at all. */
    public static void writePng(BufferedImage image, Path target) {
        AtomicFiles.write(target, out -> encodePng(image, out));
    }

    /** The PNG encoding of an image, for callers that store or hash the bytes themselves. */
    public static byte[] pngBytes(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            encodePng(image, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a PNG: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    private static void encodePng(BufferedImage image, OutputStream out) throws IOException {
        if (!ImageIO.write(image, "png", out)) {
            throw new IOException("no PNG writer for image type " + image.getType());
        }
    }

    /**
     * An image as the encoder's input [1, 3, H, W] in [-1, 1]: {@code 2 * (p / 255) - 1} per
     * channel in float32, as diffusers' preprocessing; alpha is dropped and gray is replicated.
     */
    public static NDArray fromImage(NDManager manager, BufferedImage image) {
        int height = image.getHeight();
        int width = image.getWidth();
        int plane = height * width;
        float[] chw = new float[3 * plane];
        boolean gray = isEightBitGray(image);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = gray ? grayAsRgb(image, x, y) : image.getRGB(x, y);
                int p = y * width + x;
                chw[p] = fromByte((rgb >> 16) & 0xff);
                chw[plane + p] = fromByte((rgb >> 8) & 0xff);
                chw[2 * plane + p] = fromByte(rgb & 0xff);
            }
        }
        return manager.create(chw, new Shape(1, 3, height, width));
    }

    private static boolean isEightBitGray(BufferedImage image) {
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getSampleModel().getSampleSize(0) == 8;
    }

    /** The stored gray level replicated, as PIL does; getRGB would apply a gamma conversion. */
    private static int grayAsRgb(BufferedImage image, int x, int y) {
        int v = image.getRaster().getSample(x, y, 0);
        return (v << 16) | (v << 8) | v;
    }

    private static float fromByte(int v) {
        return 2f * (v / 255f) - 1f;
    }

    private static void checkRgb(NDArray decoded) {
        long[] s = decoded.getShape().getShape();
        if (s.length != 4 || s[1] != 3) {
            throw new IllegalArgumentException("expected a decoded batch [B, 3, H, W], got " + decoded.getShape());
        }
    }
}
