package dev.conceptprune.instruments.imagenet;

import dev.conceptprune.io.RgbImage;

/**
 * PIL's {@code Image.resize(size, BILINEAR)} of an 8-bit RGB image, as torchvision's resize calls
 * it on PIL images: a horizontal pass, then a vertical one (each only when its side changes),
 * rounding to 8 bits in between; the triangle kernel is widened by the downscale factor, which
 * antialiases a shrink; per-pixel weights are normalised, then applied in 22-bit fixed point.
 */
final class PilBilinear {
    private static final double SUPPORT = 1.0;
    /** PIL keeps 8 bits for the value and 2 bits of headroom in its 32-bit accumulator. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilBilinear() {
    }

    /** The image resampled to {@code width} x {@code height}; a same-size resize returns it unchanged. */
    static RgbImage resize(RgbImage in, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("cannot resize to " + width + "x" + height);
        }
        RgbImage out = in;
        if (width != in.width()) {
            out = horizontal(out, Taps.of(in.width(), width));
        }
        if (height != in.height()) {
            out = vertical(out, Taps.of(in.height(), height));
        }
        return out;
    }

    private static RgbImage horizontal(RgbImage in, Taps taps) {
        int w = taps.outSize();
        int h = in.height();
        byte[] out = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < taps.count[x]; i++) {
                        acc += in.at(taps.first[x] + i, y, c) * taps.weight(x, i);
                    }
                    out[3 * (y * w + x) + c] = saturate(acc);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    private static RgbImage vertical(RgbImage in, Taps taps) {
        int w = in.width();
        int h = taps.outSize();
        byte[] out = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < taps.count[y]; i++) {
                        acc += in.at(x, taps.first[y] + i, c) * taps.weight(y, i);
                    }
                    out[3 * (y * w + x) + c] = saturate(acc);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** The accumulator started at one half, so dropping the fraction bits rounds. */
    private static byte saturate(int acc) {
        return (byte) Math.max(0, Math.min(255, acc >> PRECISION_BITS));
    }

    private static double triangle(double x) {
        double t = Math.abs(x);
        return t < 1.0 ? 1.0 - t : 0.0;
    }

    /** Per output position: the first input position read, how many are read, and their fixed-point weights. */
    private record Taps(int[] first, int[] count, int[] weights, int stride) {

        static Taps of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            // PIL multiplies by the reciprocal; dividing instead could round a weight differently.
            double inverse = 1.0 / filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * stride];
            double[] w = new double[stride];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                // PIL rounds the window's ends with truncating casts.
                int lo = Math.max(0, (int) (center - support + 0.5));
                int hi = Math.min(inSize, (int) (center + support + 0.5));
                int n = hi - lo;
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    w[i] = triangle((i + lo - center + 0.5) * inverse);
                    sum += w[i];
                }
                for (int i = 0; i < n; i++) {
                    double k = sum != 0.0 ? w[i] / sum : w[i];
                    weights[o * stride + i] = (int) (0.5 + k * (1 << PRECISION_BITS));
                }
                first[o] = lo;
                count[o] = n;
            }
            return new Taps(first, count, weights, stride);
        }

        int outSize() {
            return first.length;
        }

        int weight(int out, int i) {
            return weights[out * stride + i];
        }
    }
}
