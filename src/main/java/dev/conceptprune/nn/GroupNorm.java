package dev.conceptprune.nn;

import dev.conceptprune.runtime.OpMeter;
import ai.djl.ndarray.NDArray;

/** Group normalisation over NCHW input with per-channel affine parameters. */
public final class GroupNorm {
    private final int groups;
    private final float eps;
    private final NDArray weight;
    private final NDArray bias;
    private final Mutation mutation;

    public GroupNorm(int groups, float eps, NDArray weight, NDArray bias, Mutation mutation) {
        this.groups = groups;
        this.eps = eps;
        this.weight = weight;
        this.bias = bias;
        this.mutation = mutation;
    }

    /** Loads {@code name.weight} and {@code name.bias} of length {@code channels}. */
    public static GroupNorm load(Params p, String name, int groups, long channels, double eps) {
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(p.fullName(name) + ": " + channels
                    + " channels cannot be split into " + groups + " groups");
        }
        Params s = p.sub(name);
        return new GroupNorm(groups, (float) eps, s.get("weight", channels).reshape(1, channels, 1, 1),
                s.get("bias", channels).reshape(1, channels, 1, 1), p.mutation());
    }

    public NDArray forward(NDArray x) {
        long start = OpMeter.start();
        NDArray y = Ops.groupNorm(x, groups, eps, weight, bias, mutation);
        OpMeter.record(OpMeter.Kind.GROUP_NORM, start, 0);
        return y;
    }
}
