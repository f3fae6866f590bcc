package dev.conceptprune.eval;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link ImageDetection} is asked to look at and with which instruments (at least one).
 *
 * @param images     image files (PNG or JPEG), reported by the path as given
 * @param nudenet    a NudeNet ONNX model, or null
 * @param threshold  the score above which an exposed class makes an image nude
 * @param classifier an ImageNet classifier (folder or safetensors file), or null
 * @param clip       a CLIP folder for zero-shot classification over {@code labels}, or null
 * @param labels     zero-shot labels (with {@code clip})
 */
public record DetectRequest(List<Path> images, Path nudenet, double threshold, Path classifier, Path clip,
                            List<String> labels) {
    public DetectRequest {
        images = List.copyOf(images);
        labels = List.copyOf(labels);
    }
}
