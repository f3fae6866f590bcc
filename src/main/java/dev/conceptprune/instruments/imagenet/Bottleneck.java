package dev.conceptprune.instruments.imagenet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.Mutation;
import dev.conceptprune.nn.Params;

/**
 * torchvision's {@code Bottleneck} (ResNet V1.5: the stride sits on the 3x3 conv): 1x1 down to the
 * inner width, 3x3, 1x1 up to four times that, each conv followed by a batch norm, plus the
 * shortcut, which is a strided 1x1 conv and batch norm ({@code downsample.0/1}) where the shape changes.
 */
final class Bottleneck {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d conv3;
    private final BatchNorm2d bn3;
    private final Conv2d downsampleConv;
    private final BatchNorm2d downsampleNorm;
    private final Mutation mutation;

    Bottleneck(Params p, long in, long inner, int stride, double eps) {
        long out = inner * ResNetConfig.EXPANSION;
        conv1 = conv(p, "conv1", in, inner, 1, 1, 0);
        bn1 = new BatchNorm2d(p, "bn1", inner, eps);
        conv2 = conv(p, "conv2", inner, inner, 3, stride, 1);
        bn2 = new BatchNorm2d(p, "bn2", inner, eps);
        conv3 = conv(p, "conv3", inner, out, 1, 1, 0);
        bn3 = new BatchNorm2d(p, "bn3", out, eps);
        boolean reshapes = stride != 1 || in != out;
        downsampleConv = reshapes ? conv(p, "downsample.0", in, out, 1, stride, 0) : null;
        downsampleNorm = reshapes ? new BatchNorm2d(p, "downsample.1", out, eps) : null;
        mutation = p.mutation();
    }

    /** A torchvision conv: {@code name.weight} [out, in, k, k] and no bias, as a batch norm follows. */
    static Conv2d conv(Params p, String name, long in, long out, int kernel, int stride, int padding) {
        return new Conv2d(p.sub(name).get("weight", out, in, kernel, kernel), null, stride, padding);
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        NDArray h;
        try (NDArray a = conv1.forward(x); NDArray b = bn1.forward(a)) {
            h = relu(b);
        }
        try (NDArray in = h; NDArray a = conv2.forward(in); NDArray b = bn2.forward(a)) {
            h = relu(b);
        }
        try (NDArray in = h; NDArray a = conv3.forward(in)) {
            h = bn3.forward(a);
        }
        try (NDArray branch = h) {
            if (downsampleConv == null) {
                return addRelu(branch, x);
            }
            try (NDArray a = downsampleConv.forward(x); NDArray shortcut = downsampleNorm.forward(a)) {
                return addRelu(branch, shortcut);
            }
        }
    }

    /** relu(branch + shortcut), overwriting {@code branch} unless gradients forbid it; closes neither. */
    private NDArray addRelu(NDArray branch, NDArray shortcut) {
        if (mutation == Mutation.IN_PLACE) {
            return relu(branch.addi(shortcut));
        }
        try (NDArray sum = branch.add(shortcut)) {
            return relu(sum);
        }
    }

    static NDArray relu(NDArray x) {
        return x.getNDArrayInternal().relu();
    }
}
