package dev.conceptprune.instruments.imagenet;

import com.google.gson.JsonElement;
import dev.conceptprune.io.Config;
import java.nio.file.Path;

/**
 * The sizes of a torchvision bottleneck ResNet (ResNet-50 and its deeper or narrower kin) and the
 * preprocessing its weights expect, from a model folder's {@code config.json}; {@link #resnet50()}
 * when a folder has none.
 *
 * @param layers       bottleneck blocks per stage ({@code [3, 4, 6, 3]} for ResNet-50)
 * @param width        channels of the stem, and of the first stage's bottleneck (64 in torchvision)
 * @param numClasses   outputs of {@code fc}
 * @param batchNormEps epsilon of every batch norm
 * @param preprocess   how images become the network's input
 */
public record ResNetConfig(int[] layers, int width, int numClasses, double batchNormEps,
                           ImageNetPreprocessor preprocess) {
    /** Output channels of a bottleneck are this multiple of its inner width. */
    public static final int EXPANSION = 4;
    private static final int[] RESNET50_LAYERS = {3, 4, 6, 3};

    /** Copies the stage list so that the record stays immutable. */
    public ResNetConfig {
        layers = layers.clone();
    }

    /** torchvision's {@code resnet50}: 1000 ImageNet classes, eps 1e-5, the IMAGENET1K_V2 preprocessing. */
    public static ResNetConfig resnet50() {
        return new ResNetConfig(RESNET50_LAYERS, 64, 1000, 1e-5, ImageNetPreprocessor.imagenet1kV2());
    }

    /** Reads {@code file}. */
    public static ResNetConfig read(Path file) {
        return from(Config.read(file));
    }

    /**
     * Reads {@code layers}, {@code width}, {@code num_classes}, {@code batch_norm_eps} and the
     * {@code preprocess} object; a missing key takes the ResNet-50 value. Errors name the file and key.
     */
    public static ResNetConfig from(Config c) {
        int[] layers = c.has("layers") ? c.getIntArray("layers") : RESNET50_LAYERS;
        if (layers.length == 0) {
            throw c.error("config key 'layers' must list at least one stage");
        }
        for (int n : layers) {
            if (n <= 0) {
                throw c.error("config key 'layers' entries must be > 0, found " + n);
            }
        }
        int width = c.getInt("width", 64);
        if (width <= 0) {
            throw c.error("config key 'width' must be > 0, found " + width);
        }
        int classes = c.getInt("num_classes", 1000);
        if (classes <= 0) {
            throw c.error("config key 'num_classes' must be > 0, found " + classes);
        }
        double eps = c.getDouble("batch_norm_eps", 1e-5);
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw c.error("config key 'batch_norm_eps' must be a positive number, found " + eps);
        }
        return new ResNetConfig(layers, width, classes, eps, preprocess(c));
    }

    private static ImageNetPreprocessor preprocess(Config c) {
        if (!c.has("preprocess")) {
            return ImageNetPreprocessor.imagenet1kV2();
        }
        JsonElement e = c.json().get("preprocess");
        if (!e.isJsonObject()) {
            throw c.error("config key 'preprocess' must be an object, found " + e);
        }
        return ImageNetPreprocessor.from(new Config(c.file(), e.getAsJsonObject()));
    }

    /** A copy of the blocks per stage. */
    @Override
    public int[] layers() {
        return layers.clone();
    }

    /** Inner width of the bottlenecks of stage {@code i}: the width doubles per stage. */
    public long stageWidth(int i) {
        return (long) width << i;
    }

    /** Channels into {@code fc}: the last stage's output. */
    public long features() {
        return stageWidth(layers.length - 1) * EXPANSION;
    }
}
