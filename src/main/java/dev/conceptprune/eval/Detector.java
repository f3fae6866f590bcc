package dev.conceptprune.eval;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Something that looks at generated images and reports, per image, a probability per class and the
 * class it finds (CLIP zero-shot over labels today; NudeNet and an ImageNet classifier are further
 * implementations). An evaluation stores each verdict under the image's content key and the
 * detector's {@link #key}, and reuses it while both are unchanged.
 */
public interface Detector extends AutoCloseable {
    /** Short name that labels the detector's results in the manifest, the metrics and the report. */
    String name();

    /** Content key of everything the verdicts depend on besides the image: model files, settings, labels. */
    String key();

    /** The classes the detector reports, in the order of its probabilities. */
    List<String> labels();

    /**
     * Verdicts for images read back from their PNGs (8-bit RGB), one per image, in order. A
     * detector may load its model at the first call, so that a run that reuses every verdict never loads it.
     */
    List<Verdict> detect(List<BufferedImage> images);

    /** What the verdicts were computed with, for metrics.json (model file, threshold); none by default. */
    default java.util.Map<String, Object> settings() {
        return java.util.Map.of();
    }

    /** Frees the detector's model; the default holds nothing. */
    @Override
    default void close() {
    }
}
