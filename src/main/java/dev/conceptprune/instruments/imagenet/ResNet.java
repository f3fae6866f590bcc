package dev.conceptprune.instruments.imagenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.WeightFormatException;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Params;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's bottleneck {@code ResNet} in eval mode (ResNet-50 by default), with torchvision's
 * state-dict names: stem ({@code conv1} 7x7 stride 2, {@code bn1}, ReLU, 3x3 max pool stride 2),
 * stages {@code layer1..N} of {@link Bottleneck}s (the first block of every stage after the first
 * has stride 2), global average pool, {@code fc}. Weights live in the manager they were loaded into;
 * every call computes in a sub-manager of its input's manager.
 *
 * <p>Real torchvision weights load from a {@code model.safetensors} written in Python with
 * {@code from safetensors.torch import save_file; save_file(resnet50(weights="IMAGENET1K_V2").state_dict(),
 * "model.safetensors")} (with {@code from torchvision.models import resnet50}); without a
 * {@code config.json} beside it the ResNet-50 defaults apply ({@link ResNetConfig#resnet50()}).
 */
public final class ResNet {
    /** The optional config of a model folder. */
    public static final String CONFIG_FILE = "config.json";
    /** The weights of a model folder. */
    public static final String WEIGHTS_FILE = "model.safetensors";
    private static final String WHAT = "ResNet";
    private static final Shape POOL_KERNEL = new Shape(3, 3);
    private static final Shape POOL_STRIDE = new Shape(2, 2);
    private static final Shape POOL_PADDING = new Shape(1, 1);

    private final ResNetConfig config;
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final List<Bottleneck> blocks;
    private final Linear fc;

    private ResNet(ResNetConfig config, Params p) {
        this.config = config;
        long width = config.width();
        double eps = config.batchNormEps();
        conv1 = Bottleneck.conv(p, "conv1", 3, width, 7, 2, 3);
        bn1 = new BatchNorm2d(p, "bn1", width, eps);
        blocks = new ArrayList<>();
        long in = width;
        int[] layers = config.layers();
        for (int stage = 0; stage < layers.length; stage++) {
            long inner = config.stageWidth(stage);
            for (int b = 0; b < layers[stage]; b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                blocks.add(new Bottleneck(p.sub("layer" + (stage + 1) + "." + b), in, inner, stride, eps));
                in = inner * ResNetConfig.EXPANSION;
            }
        }
        fc = Linear.load(p, "fc", config.features(), config.numClasses(), true);
    }

    /**
     * Loads a model folder ({@value #CONFIG_FILE}, optional, and {@value #WEIGHTS_FILE}) or a bare
     * safetensors file (ResNet-50 defaults) into {@code manager}, one {@code runtime} made.
     *
     * @throws InputException when the path is neither; {@link WeightFormatException} when the config
     *                        or the weights are wrong: a missing tensor, a wrong shape, an unexplained tensor
     */
    public static ResNet load(Path folderOrFile, Runtime runtime, NDManager manager) {
        ResNetConfig config = ResNetConfig.resnet50();
        Path weights = folderOrFile;
        if (Files.isDirectory(folderOrFile)) {
            Path configFile = folderOrFile.resolve(CONFIG_FILE);
            if (Files.exists(configFile)) {
                config = ResNetConfig.read(configFile);
            }
            weights = folderOrFile.resolve(WEIGHTS_FILE);
            if (!Files.isRegularFile(weights)) {
                throw new WeightFormatException(folderOrFile, "model folder has no " + WEIGHTS_FILE);
            }
        } else if (!Files.isRegularFile(folderOrFile)) {
            throw new InputException(folderOrFile + ": no such model file or folder");
        }
        try (TensorStore store = TensorStore.open(weights)) {
            return load(config, store, runtime, manager);
        }
    }

    /**
     * Loads the weights {@code config} implies from {@code store}; {@code num_batches_tracked}
     * counters are ignored, any other tensor the config does not explain is a {@link WeightFormatException}.
     */
    public static ResNet load(ResNetConfig config, TensorSource store, Runtime runtime, NDManager manager) {
        Params p = new Params(store, runtime, manager);
        ResNet net = new ResNet(config, p);
        p.requireAllUsed(WHAT, name -> name.endsWith("num_batches_tracked"));
        return net;
    }

    public ResNetConfig config() {
        return config;
    }

    /**
     * Logits [B, classes] of preprocessed images [B, 3, H, W], owned by the input's manager.
     *
     * @throws IllegalArgumentException when the input is not [B, 3, H, W]
     */
    public NDArray forward(NDArray images) {
        long[] s = images.getShape().getShape();
        if (s.length != 4 || s[1] != 3) {
            throw new IllegalArgumentException("images must have shape [batch, 3, height, width], got "
                    + images.getShape());
        }
        NDManager caller = images.getManager();
        try (NDManager scope = caller.newSubManager()) {
            images.tempAttach(scope);
            NDArray out = forwardScoped(images);
            out.attach(caller);
            return out;
        }
    }

    private NDArray forwardScoped(NDArray x) {
        NDArray h;
        try (NDArray a = conv1.forward(x); NDArray b = bn1.forward(a); NDArray c = Bottleneck.relu(b)) {
            h = c.getNDArrayInternal().maxPool(POOL_KERNEL, POOL_STRIDE, POOL_PADDING, false);
        }
        for (Bottleneck block : blocks) {
            try (NDArray in = h) {
                h = block.forward(in);
            }
        }
        try (NDArray in = h; NDArray pooled = in.getNDArrayInternal().globalAvgPool()) {
            return fc.forward(pooled);
        }
    }
}
