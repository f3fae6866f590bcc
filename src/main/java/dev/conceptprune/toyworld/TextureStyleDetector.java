package dev.conceptprune.toyworld;

import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.Verdict;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Detects the toy world's texture styles from pixels, without any learned model: the styles
 * are periodic patterns, so the power spectrum of the luminance says which one is present.
 * Stripes put their energy on one diagonal of the spectrum, Checkers on both diagonals, Waves
 * near the vertical-frequency axis, Polka on both axes (a dot lattice).
 */
public final class TextureStyleDetector implements Detector {
    /** The label for an image without a detected style. */
    public static final String NONE = "none";
    /** The detector's name in manifests and metrics. */
    public static final String NAME = "texture_style";
    private static final List<String> LABELS = List.of(NONE, "Stripes", "Polka", "Checkers", "Waves");

    /** Energy fractions of an image's spectrum (of all energy except the mean). */
    public record Features(double textured, double diagonal, double antiDiagonal, double vertical, double horizontal) {
    }

    private static final int MIN_FREQ = 3;
    // Thresholds measured on the toy model's own images (docs/DEMO.md): every Stripes prompt had
    // diagonal >= 0.25 at >= 10x the anti-diagonal energy; no other style exceeded 4.1x.
    private static final double STRIPES_MIN = 0.15;
    private static final double STRIPES_RATIO = 6;
    private static final double CHECKERS_MIN = 0.10;
    private static final double POLKA_MIN = 0.09;
    private static final double WAVES_TEXTURED = 0.3;
    private static final double WAVES_RATIO = 1.5;
    private static final double WAVES_MIN = 0.03;

    /** Spectral features of an HWC image in [0, 1]. */
    public Features features(float[] hwc, int height, int width) {
        double[][] power = powerSpectrum(luminance(hwc, height, width));
        double total = 0;
        double high = 0;
        double diag = 0;
        double anti = 0;
        double vert = 0;
        double horiz = 0;
        for (int v = 0; v < height; v++) {
            int ky = v <= height / 2 ? v : v - height;
            for (int u = 0; u < width; u++) {
                int kx = u <= width / 2 ? u : u - width;
                if (kx == 0 && ky == 0) {
                    continue;
                }
                double p = power[v][u];
                total += p;
                if (Math.max(Math.abs(kx), Math.abs(ky)) < MIN_FREQ) {
                    continue;
                }
                high += p;
                if (Math.abs(kx - ky) <= 1) {
                    diag += p;
                } else if (Math.abs(kx + ky) <= 1) {
                    anti += p;
                } else if (Math.abs(kx) <= 1) {
                    vert += p;
                } else if (Math.abs(ky) <= 1) {
                    horiz += p;
                }
            }
        }
        if (total <= 0) {
            return new Features(0, 0, 0, 0, 0);
        }
        return new Features(high / total, diag / total, anti / total, vert / total, horiz / total);
    }

    /** True when the features show the Stripes texture (diagonal lines rising to the right). */
    public boolean hasStripes(Features f) {
        return f.diagonal() >= STRIPES_MIN && f.diagonal() >= STRIPES_RATIO * f.antiDiagonal();
    }

    /** The style the features show: Stripes, Checkers, Polka, Waves or {@link #NONE}. */
    public String classify(Features f) {
        if (hasStripes(f)) {
            return "Stripes";
        }
        if (Math.min(f.diagonal(), f.antiDiagonal()) >= CHECKERS_MIN) {
            return "Checkers";
        }
        if (Math.min(f.vertical(), f.horizontal()) >= POLKA_MIN) {
            return "Polka";
        }
        if (f.textured() >= WAVES_TEXTURED && f.vertical() >= WAVES_MIN && f.vertical() >= WAVES_RATIO * f.horizontal()) {
            return "Waves";
        }
        return NONE;
    }

    /** Classifies an HWC image in [0, 1]. */
    public String classify(float[] hwc, int height, int width) {
        return classify(features(hwc, height, width));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String key() {
        return "texture-style-v1";
    }

    @Override
    public List<String> labels() {
        return LABELS;
    }

    /** One verdict per 8-bit image: probability 1 for the style found, 0 for the others. */
    @Override
    public List<Verdict> detect(List<BufferedImage> images) {
        List<Verdict> out = new ArrayList<>();
        for (BufferedImage image : images) {
            int h = image.getHeight();
            int w = image.getWidth();
            float[] hwc = new float[h * w * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = image.getRGB(x, y);
                    int i = (y * w + x) * 3;
                    hwc[i] = ((rgb >> 16) & 0xff) / 255f;
                    hwc[i + 1] = ((rgb >> 8) & 0xff) / 255f;
                    hwc[i + 2] = (rgb & 0xff) / 255f;
                }
            }
            String found = classify(hwc, h, w);
            Map<String, Double> p = new LinkedHashMap<>();
            LABELS.forEach(l -> p.put(l, l.equals(found) ? 1.0 : 0.0));
            out.add(new Verdict(p, found));
        }
        return out;
    }

    /** Mean-free luminance under a Hann window, so the image border adds no spectral streaks. */
    private static double[][] luminance(float[] hwc, int h, int w) {
        double[][] l = new double[h][w];
        double mean = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                l[y][x] = 0.299 * hwc[i] + 0.587 * hwc[i + 1] + 0.114 * hwc[i + 2];
                mean += l[y][x];
            }
        }
        mean /= (double) h * w;
        for (int y = 0; y < h; y++) {
            double wy = hann(y, h);
            for (int x = 0; x < w; x++) {
                l[y][x] = (l[y][x] - mean) * wy * hann(x, w);
            }
        }
        return l;
    }

    private static double hann(int i, int n) {
        return 0.5 - 0.5 * Math.cos(2 * Math.PI * (i + 0.5) / n);
    }

    /** |DFT|^2 by two passes of 1-D DFTs with precomputed twiddles (images are small). */
    private static double[][] powerSpectrum(double[][] img) {
        int h = img.length;
        int w = img[0].length;
        double[][] cw = twiddles(w, true);
        double[][] sw = twiddles(w, false);
        double[][] ch = twiddles(h, true);
        double[][] sh = twiddles(h, false);
        double[][] re = new double[h][w];
        double[][] im = new double[h][w];
        for (int y = 0; y < h; y++) {
            for (int u = 0; u < w; u++) {
                double sr = 0;
                double si = 0;
                for (int x = 0; x < w; x++) {
                    sr += img[y][x] * cw[u][x];
                    si -= img[y][x] * sw[u][x];
                }
                re[y][u] = sr;
                im[y][u] = si;
            }
        }
        double[][] p = new double[h][w];
        for (int u = 0; u < w; u++) {
            for (int v = 0; v < h; v++) {
                double sr = 0;
                double si = 0;
                for (int y = 0; y < h; y++) {
                    double c = ch[v][y];
                    double s = -sh[v][y];
                    sr += re[y][u] * c - im[y][u] * s;
                    si += re[y][u] * s + im[y][u] * c;
                }
                p[v][u] = sr * sr + si * si;
            }
        }
        return p;
    }

    private static double[][] twiddles(int n, boolean cosine) {
        double[][] t = new double[n][n];
        for (int k = 0; k < n; k++) {
            for (int x = 0; x < n; x++) {
                double a = 2 * Math.PI * ((long) k * x % n) / n;
                t[k][x] = cosine ? Math.cos(a) : Math.sin(a);
            }
        }
        return t;
    }
}
