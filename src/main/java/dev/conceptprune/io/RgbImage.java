package dev.conceptprune.io;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;

/** An 8-bit RGB raster, row-major with interleaved channels, as PIL holds an "RGB" image. */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] rgb;

    public RgbImage(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0 || rgb.length != 3 * width * height) {
            throw new IllegalArgumentException("an RGB raster " + width + "x" + height + " needs "
                    + 3L * width * height + " bytes, got " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /**
     * The image as PIL's {@code convert("RGB")} sees it: alpha dropped without blending, 8-bit
     * gray levels replicated as stored.
     */
    public static RgbImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[3 * w * h];
        boolean gray = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getSampleModel().getSampleSize(0) == 8;
        if (gray) {
            // getRGB would convert linear gray to sRGB; PIL copies the stored level.
            int[] levels = image.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
            for (int i = 0; i < levels.length; i++) {
                byte v = (byte) levels[i];
                out[3 * i] = v;
                out[3 * i + 1] = v;
                out[3 * i + 2] = v;
            }
        } else {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                out[3 * i] = (byte) (argb[i] >> 16);
                out[3 * i + 1] = (byte) (argb[i] >> 8);
                out[3 * i + 2] = (byte) argb[i];
            }
        }
        return new RgbImage(w, h, out);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Channel {@code c} of pixel (x, y), 0..255. */
    public int at(int x, int y, int c) {
        return rgb[3 * (y * width + x) + c] & 0xff;
    }

    /**
     * The {@code h} x {@code w} window whose top-left corner is (left, top); positions outside the
     * image are black, as transformers pads an image smaller than its crop.
     */
    public RgbImage crop(int top, int left, int h, int w) {
        byte[] out = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= height) {
                continue;
            }
            for (int x = 0; x < w; x++) {
                int sx = x + left;
                if (sx >= 0 && sx < width) {
                    System.arraycopy(rgb, 3 * (sy * width + sx), out, 3 * (y * w + x), 3);
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
