package dev.conceptprune.instruments.imagenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.runtime.Runtime;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An ImageNet classifier: a {@link ResNet} and the preprocessing of its config, owning the
 * manager its weights live in. The ConceptPrune paper's object-erasure check runs torchvision's
 * ResNet-50 (IMAGENET1K_V2) this way.
 */
public final class ImageNetClassifier implements AutoCloseable {
    private final NDManager manager;
    private final ResNet net;
    private final ImageNetPreprocessor preprocessor;

    private ImageNetClassifier(NDManager manager, ResNet net) {
        this.manager = manager;
        this.net = net;
        this.preprocessor = net.config().preprocess();
    }

    /** Loads a model folder or safetensors file as {@link ResNet#load(Path, Runtime, NDManager)} does. */
    public static ImageNetClassifier load(Path folderOrFile, Runtime runtime) {
        NDManager manager = runtime.newManager();
        try {
            return new ImageNetClassifier(manager, ResNet.load(folderOrFile, runtime, manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ResNetConfig config() {
        return net.config();
    }

    /** Classifies one image. */
    public Classification classify(BufferedImage image) {
        return classify(List.of(image)).get(0);
    }

    /** Classifies images in one batch; the results are in the order of {@code images}. */
    public List<Classification> classify(List<BufferedImage> images) {
        if (images.isEmpty()) {
            return List.of();
        }
        int side = preprocessor.cropSize();
        int per = preprocessor.size();
        float[] batch = new float[per * images.size()];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(preprocessor.apply(images.get(i)), 0, batch, i * per, per);
        }
        float[] logits;
        try (NDManager call = manager.newSubManager();
             NDArray input = call.create(FloatBuffer.wrap(batch), new Shape(images.size(), 3, side, side));
             NDArray out = net.forward(input)) {
            logits = out.toFloatArray();
        }
        int classes = config().numClasses();
        List<Classification> result = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            float[] row = new float[classes];
            System.arraycopy(logits, i * classes, row, 0, classes);
            result.add(Classification.of(row));
        }
        return result;
    }

    @Override
    public void close() {
        manager.close();
    }
}
