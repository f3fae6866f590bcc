package dev.conceptprune.toyworld;

/**
 * Tells the toy world's five scenes apart from pixels: the mean colours of the top and bottom six
 * rows, which the object (radius 10-15 px, anywhere) rarely covers. Night is dark throughout, the sky
 * a blue top over a lighter bottom, grass and sand a bottom darker than the top (green, or red >= green
 * >= blue), the plain white scene none of these. The thresholds were set on the base model's 60
 * evaluation images (docs/DEMO.md), where it agrees with the prompt on 52 (86.7%; the independent
 * classifier of models/toyworld/README.md finds the model right on 91.7% of scenes); the style textures,
 * which darken the image by half, cause most of the misses.
 */
public final class SceneDetector {
    /** The scene labels, as {@link ToyPrompt#scene} names them. */
    public static final String WHITE = "white";
    private static final int BAND = 6;

    /** The scene an image [height, width, 3] in [0, 1] shows. */
    public String classify(float[] hwc, int height, int width) {
        double[] top = band(hwc, width, 0, BAND);
        double[] bottom = band(hwc, width, height - BAND, height);
        double lt = (top[0] + top[1] + top[2]) / 3;
        double lb = (bottom[0] + bottom[1] + bottom[2]) / 3;
        if (lt < 75 && lb < 100) {
            return "night";
        }
        if (top[2] - top[0] > 35 && lb - lt > 30) {
            return "sky";
        }
        if (bottom[1] - bottom[0] > 15 && lt - lb > 30) {
            return "grass";
        }
        if (bottom[0] >= bottom[1] && bottom[1] >= bottom[2] + 10 && lt - lb > 15) {
            return "sand";
        }
        return WHITE;
    }

    /** Mean RGB of rows [from, to), in 0..255 units as the thresholds are. */
    private static double[] band(float[] hwc, int width, int from, int to) {
        double[] s = new double[3];
        for (int y = from; y < to; y++) {
            for (int x = 0; x < width; x++) {
                int o = (y * width + x) * 3;
                for (int c = 0; c < 3; c++) {
                    s[c] += hwc[o + c];
                }
            }
        }
        double n = (double) (to - from) * width;
        for (int c = 0; c < 3; c++) {
            s[c] = s[c] / n * 255;
        }
        return s;
    }
}
