package dev.conceptprune.instruments.imagenet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Params;

/**
 * torchvision's {@code BatchNorm2d} in eval mode: the running statistics normalise each channel,
 * then the affine. libtorch's own batch-norm kernel computes it, so the rounding is PyTorch's.
 */
final class BatchNorm2d {
    /** Unused in eval mode, but the kernel takes one. */
    private static final float MOMENTUM = 0.1f;

    private final NDArray weight;
    private final NDArray bias;
    private final NDArray runningMean;
    private final NDArray runningVar;
    private final float eps;

    /** Loads {@code name.weight}, {@code .bias}, {@code .running_mean}, {@code .running_var}, each [channels]. */
    BatchNorm2d(Params p, String name, long channels, double eps) {
        Params s = p.sub(name);
        weight = s.get("weight", channels);
        bias = s.get("bias", channels);
        runningMean = s.get("running_mean", channels);
        runningVar = s.get("running_var", channels);
        this.eps = (float) eps;
    }

    /** Does not close {@code x}; the result is a new array. */
    NDArray forward(NDArray x) {
        return x.getNDArrayInternal()
                .batchNorm(x, runningMean, runningVar, weight, bias, 1, MOMENTUM, eps, false).singletonOrThrow();
    }
}
