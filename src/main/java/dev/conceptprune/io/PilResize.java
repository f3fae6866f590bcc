package dev.conceptprune.io;

/**
 * PIL's {@code Image.resize(size, filter)} of an 8-bit RGB image, reproduced so that the networks
 * see the pixels their Python preprocessing gives them (CLIP: transformers' BICUBIC; the ImageNet
 * classifier: torchvision's BILINEAR): separable passes, horizontal first and each only when its
 * side changes, each rounded to 8 bits; the kernel widened by the downscale factor (which
 * antialiases a shrink); weights normalised per output pixel and applied in 22-bit fixed point.
 */
public final class PilResize {
    private static final double A = -0.5;
    /** PIL keeps 8 bits for the value and 2 for overshoot of the int accumulator. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** PIL's resampling filters that the preprocessing here uses. */
    public enum Filter {
        /** The triangle kernel, support 1. */
        BILINEAR(1.0),
        /** The cubic convolution kernel with a = -0.5, support 2. */
        BICUBIC(2.0);

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            double t = Math.abs(x);
            if (this == BILINEAR) {
                return t < 1.0 ? 1.0 - t : 0.0;
            }
            if (t < 1.0) {
                return ((A + 2.0) * t - (A + 3.0)) * t * t + 1;
            }
            if (t < 2.0) {
                return (((t - 5) * t + 8) * t - 4) * A;
            }
            return 0.0;
        }
    }

    private PilResize() {
    }

    /** The image resampled to {@code width} x {@code height}; a same-size resize returns it unchanged. */
    public static RgbImage resize(RgbImage in, int width, int height, Filter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("cannot resize to " + width + "x" + height);
        }
        RgbImage out = in;
        if (width != in.width()) {
            out = horizontal(out, Taps.of(in.width(), width, filter));
        }
        if (height != in.height()) {
            out = vertical(out, Taps.of(in.height(), height, filter));
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
                    out[3 * (y * w + x) + c] = toByte(acc);
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
                    out[3 * (y * w + x) + c] = toByte(acc);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Drops the fraction bits (the accumulator started at one half, so this rounds) and saturates. */
    private static byte toByte(int acc) {
        return (byte) Math.max(0, Math.min(255, acc >> PRECISION_BITS));
    }

    /** For each output position: the first input position it reads, how many, and their fixed-point weights. */
    private record Taps(int[] first, int[] count, int[] weights, int stride) {

        static Taps of(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            // A reciprocal multiplied, not a division, to round exactly as PIL does.
            double inverse = 1.0 / filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * stride];
            double[] w = new double[stride];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                // Truncating casts, as PIL's C rounds these bounds.
                int lo = Math.max(0, (int) (center - support + 0.5));
                int hi = Math.min(inSize, (int) (center + support + 0.5));
                int n = hi - lo;
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    w[i] = filter.weight((i + lo - center + 0.5) * inverse);
                    sum += w[i];
                }
                for (int i = 0; i < n; i++) {
                    double k = sum != 0.0 ? w[i] / sum : w[i];
                    weights[o * stride + i] = (int) (k < 0 ? -0.5 + k * (1 << PRECISION_BITS)
                            : 0.5 + k * (1 << PRECISION_BITS));
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
