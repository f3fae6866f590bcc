package dev.conceptprune.clip;

import dev.conceptprune.io.PilResize;
import dev.conceptprune.io.RgbImage;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.conceptprune.io.Config;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * transformers' {@code CLIPImageProcessor} as its {@code preprocessor_config.json} configures it:
 * RGB conversion, bicubic resize (PIL's), center crop, rescale and per-channel normalisation,
 * with the same float32 arithmetic, so pixel values match the Python processor's.
 */
public final class ClipImageProcessor {
    /** PIL's code for bicubic resampling, the only filter CLIP checkpoints use. */
    private static final int PIL_BICUBIC = 3;
    private static final double[] OPENAI_CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] OPENAI_CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    private final boolean resize;
    /** Resize so that the shorter side has this length; 0 when {@link #resizeHeight} and width are exact. */
    private final int shortestEdge;
    private final int resizeHeight;
    private final int resizeWidth;
    private final boolean centerCrop;
    private final int cropHeight;
    private final int cropWidth;
    private final boolean rescale;
    private final double rescaleFactor;
    private final boolean normalize;
    private final float[] mean;
    private final float[] std;

    private ClipImageProcessor(Config c) {
        resize = c.getBoolean("do_resize", true);
        int[] size = resize ? size(c, "size", true) : new int[] {0};
        shortestEdge = size.length == 1 ? size[0] : 0;
        resizeHeight = size.length == 2 ? size[0] : 0;
        resizeWidth = size.length == 2 ? size[1] : 0;
        centerCrop = c.getBoolean("do_center_crop", true);
        int[] crop = centerCrop ? size(c, "crop_size", false) : new int[] {0, 0};
        cropHeight = crop[0];
        cropWidth = crop[1];
        int resample = c.getInt("resample", PIL_BICUBIC);
        if (resize && resample != PIL_BICUBIC) {
            throw c.error("config key 'resample' is " + resample + "; only bicubic (3) is supported");
        }
        rescale = c.getBoolean("do_rescale", true);
        rescaleFactor = c.getDouble("rescale_factor", 1 / 255.0);
        normalize = c.getBoolean("do_normalize", true);
        mean = channels(c, "image_mean", OPENAI_CLIP_MEAN);
        std = channels(c, "image_std", OPENAI_CLIP_STD);
        for (float s : std) {
            if (!(s > 0)) {
                throw c.error("config key 'image_std' must hold positive numbers, found " + c.json().get("image_std"));
            }
        }
    }

    /** Reads a {@code preprocessor_config.json}; unsupported or malformed settings name their key. */
    public static ClipImageProcessor read(Path file) {
        return new ClipImageProcessor(Config.read(file));
    }

    /** Builds the processor from a parsed config. */
    public static ClipImageProcessor from(Config c) {
        return new ClipImageProcessor(c);
    }

    /** The processed images as a batch [N, 3, H, W] owned by {@code manager}; all must come out the same size. */
    public NDArray pixelValues(NDManager manager, List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to process");
        }
        RgbImage first = prepare(images.get(0));
        int h = first.height();
        int w = first.width();
        float[] batch = new float[images.size() * 3 * h * w];
        for (int i = 0; i < images.size(); i++) {
            RgbImage img = i == 0 ? first : prepare(images.get(i));
            if (img.height() != h || img.width() != w) {
                throw new IllegalArgumentException("image " + i + " comes out " + img.width() + "x" + img.height()
                        + " after resizing and cropping, image 0 " + w + "x" + h);
            }
            writeChw(img, batch, i * 3 * h * w);
        }
        return manager.create(batch, new Shape(images.size(), 3, h, w));
    }

    /** One processed image as float32 [3, H, W], channel-major. */
    public float[] pixels(BufferedImage image) {
        RgbImage img = prepare(image);
        float[] out = new float[3 * img.height() * img.width()];
        writeChw(img, out, 0);
        return out;
    }

    /** The {height, width} every image is cropped to, or null when the processor does not crop. */
    int[] cropSize() {
        return centerCrop ? new int[] {cropHeight, cropWidth} : null;
    }

    private RgbImage prepare(BufferedImage image) {
        RgbImage img = RgbImage.of(image);
        if (resize) {
            int[] hw = resizedSize(img.height(), img.width());
            img = PilResize.resize(img, hw[1], hw[0], PilResize.Filter.BICUBIC);
        }
        if (centerCrop) {
            // transformers' offsets, floor division also when the image is smaller than the crop.
            int top = Math.floorDiv(img.height() - cropHeight, 2);
            int left = Math.floorDiv(img.width() - cropWidth, 2);
            img = img.crop(top, left, cropHeight, cropWidth);
        }
        return img;
    }

    /** transformers' {@code get_resize_output_image_size}: the longer side scaled and truncated. */
    private int[] resizedSize(int height, int width) {
        if (shortestEdge == 0) {
            return new int[] {resizeHeight, resizeWidth};
        }
        int shortSide = Math.min(height, width);
        int longSide = Math.max(height, width);
        int scaledLong = (int) ((double) shortestEdge * longSide / shortSide);
        return width <= height ? new int[] {scaledLong, shortestEdge} : new int[] {shortestEdge, scaledLong};
    }

    private void writeChw(RgbImage img, float[] out, int offset) {
        int plane = img.height() * img.width();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < img.height(); y++) {
                for (int x = 0; x < img.width(); x++) {
                    int v = img.at(x, y, c);
                    // Rescaled in float64 and stored as float32, normalised in float32, as transformers does.
                    float f = rescale ? (float) (v * rescaleFactor) : v;
                    if (normalize) {
                        f = (f - mean[c]) / std[c];
                    }
                    out[offset + c * plane + y * img.width() + x] = f;
                }
            }
        }
    }

    /**
     * A size setting as transformers' {@code get_size_dict} reads it: {@code {"shortest_edge": n}}
     * (returned as {n}), {@code {"height": h, "width": w}} (returned as {h, w}), or a bare number,
     * which means the shortest edge for {@code size} and a square for {@code crop_size}.
     */
    private static int[] size(Config c, String key, boolean bareIsShortestEdge) {
        JsonElement e = c.json().get(key);
        if (e == null || e.isJsonNull()) {
            throw c.error("missing config key '" + key + "'");
        }
        int[] out;
        if (e.isJsonPrimitive()) {
            int n = c.getInt(key);
            out = bareIsShortestEdge ? new int[] {n} : new int[] {n, n};
        } else if (e.isJsonObject()) {
            Config sub = new Config(c.file(), e.getAsJsonObject());
            JsonObject o = e.getAsJsonObject();
            if (bareIsShortestEdge && o.has("shortest_edge")) {
                out = new int[] {sub.getInt("shortest_edge")};
            } else if (o.has("height") && o.has("width")) {
                out = new int[] {sub.getInt("height"), sub.getInt("width")};
            } else {
                throw c.error("config key '" + key + "' must give "
                        + (bareIsShortestEdge ? "shortest_edge or " : "") + "height and width, found " + e);
            }
        } else {
            throw c.error("config key '" + key + "' must be a number or an object, found " + e);
        }
        for (int n : out) {
            if (n <= 0) {
                throw c.error("config key '" + key + "' must give positive sizes, found " + e);
            }
        }
        return out;
    }

    private static float[] channels(Config c, String key, double[] fallback) {
        double[] v = fallback;
        if (c.has(key)) {
            JsonElement e = c.json().get(key);
            if (!e.isJsonArray() || e.getAsJsonArray().size() != 3) {
                throw c.error("config key '" + key + "' must list 3 numbers, found " + e);
            }
            v = new double[3];
            for (int i = 0; i < 3; i++) {
                JsonElement x = e.getAsJsonArray().get(i);
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                    throw c.error("config key '" + key + "' must list 3 numbers, found " + e);
                }
                v[i] = x.getAsDouble();
            }
        }
        return new float[] {(float) v[0], (float) v[1], (float) v[2]};
    }
}
