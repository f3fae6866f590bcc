package dev.conceptprune.instruments.imagenet;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.PilResize;
import dev.conceptprune.io.RgbImage;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * torchvision's {@code ImageClassification} transform on a PIL image (the {@code IMAGENET1K_V2}
 * weights' {@code transforms()}): the shorter side resized with PIL's bilinear filter, a centre
 * crop, /255, per-channel normalisation. The result is a CHW float32 array.
 */
public final class ImageNetPreprocessor {
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private final int resizeShortSide;
    private final int cropSize;
    private final float[] mean;
    private final float[] std;

    /**
     * @throws IllegalArgumentException when a size is not positive, the crop exceeds the resized
     *                                  short side, or mean/std do not hold three values (std positive)
     */
    public ImageNetPreprocessor(int resizeShortSide, int cropSize, float[] mean, float[] std) {
        if (resizeShortSide <= 0 || cropSize <= 0 || cropSize > resizeShortSide) {
            throw new IllegalArgumentException("need 0 < crop <= resize short side, got crop " + cropSize
                    + ", resize " + resizeShortSide);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values each");
        }
        for (float s : std) {
            if (!(s > 0) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("std values must be positive, got " + s);
            }
        }
        this.resizeShortSide = resizeShortSide;
        this.cropSize = cropSize;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** {@code ResNet50_Weights.IMAGENET1K_V2.transforms()}: resize 232, crop 224, ImageNet mean and std. */
    public static ImageNetPreprocessor imagenet1kV2() {
        return new ImageNetPreprocessor(232, 224, IMAGENET_MEAN, IMAGENET_STD);
    }

    /**
     * Reads a {@code preprocess} object ({@code resize_short_side}, {@code center_crop},
     * {@code mean}, {@code std}, optional {@code interpolation}, which must name bilinear);
     * missing keys take the {@link #imagenet1kV2()} values. Errors name the file and the key.
     */
    public static ImageNetPreprocessor from(Config c) {
        String interpolation = c.getString("interpolation", "bilinear");
        if (!interpolation.toLowerCase(Locale.ROOT).startsWith("bilinear")) {
            throw c.error("config key 'preprocess.interpolation' is '" + interpolation + "'; only bilinear is supported");
        }
        int resize = c.getInt("resize_short_side", 232);
        int crop = c.getInt("center_crop", 224);
        if (resize <= 0 || crop <= 0 || crop > resize) {
            throw c.error("config keys 'preprocess.resize_short_side' " + resize + " and 'preprocess.center_crop' "
                    + crop + " must satisfy 0 < center_crop <= resize_short_side");
        }
        float[] mean = triple(c, "mean", IMAGENET_MEAN, false);
        float[] std = triple(c, "std", IMAGENET_STD, true);
        return new ImageNetPreprocessor(resize, crop, mean, std);
    }

    private static float[] triple(Config c, String key, float[] fallback, boolean positive) {
        if (!c.has(key)) {
            return fallback.clone();
        }
        JsonElement e = c.json().get(key);
        String wrong = "config key 'preprocess." + key + "' must be a list of 3 " + (positive ? "positive " : "")
                + "numbers, found " + e;
        if (!e.isJsonArray() || e.getAsJsonArray().size() != 3) {
            throw c.error(wrong);
        }
        JsonArray a = e.getAsJsonArray();
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                throw c.error(wrong);
            }
            out[i] = x.getAsFloat();
            if (!Float.isFinite(out[i]) || (positive && !(out[i] > 0))) {
                throw c.error(wrong);
            }
        }
        return out;
    }

    /** Side of the square output. */
    public int cropSize() {
        return cropSize;
    }

    /** Values per image: 3 x crop x crop. */
    public int size() {
        return 3 * cropSize * cropSize;
    }

    /** The image as PIL's {@code convert("RGB")} sees it, preprocessed to [3, crop, crop]. */
    public float[] apply(BufferedImage image) {
        return apply(RgbImage.of(image));
    }

    /** The preprocessed [3, crop, crop] array of an RGB raster. */
    public float[] apply(RgbImage image) {
        int w = image.width();
        int h = image.height();
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        // Python's int(size * long / short): a true division, then truncation.
        int newLong = (int) ((double) resizeShortSide * longSide / shortSide);
        int newW = w <= h ? resizeShortSide : newLong;
        int newH = w <= h ? newLong : resizeShortSide;
        RgbImage resized = PilResize.resize(image, newW, newH, PilResize.Filter.BILINEAR);
        int top = cropOffset(newH);
        int left = cropOffset(newW);
        float[] out = new float[size()];
        int plane = cropSize * cropSize;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < cropSize; y++) {
                for (int x = 0; x < cropSize; x++) {
                    float v = resized.at(left + x, top + y, c) / 255f;
                    out[c * plane + y * cropSize + x] = (v - mean[c]) / std[c];
                }
            }
        }
        return out;
    }

    /** torchvision's {@code int(round((size - crop) / 2.0))}: Python rounds halves to even. */
    private int cropOffset(int size) {
        return (int) Math.rint((size - cropSize) / 2.0);
    }
}
