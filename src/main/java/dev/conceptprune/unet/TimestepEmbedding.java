package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.nn.Linear;
import dev.conceptprune.nn.Mutation;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;

/** diffusers' {@code time_embedding}: linear_1, SiLU, linear_2. */
final class TimestepEmbedding {
    private final Linear linear1;
    private final Linear linear2;
    private final Mutation mutation;

    TimestepEmbedding(Params p, int in, int out) {
        mutation = p.mutation();
        linear1 = Linear.load(p, "linear_1", in, out, true);
        linear2 = Linear.load(p, "linear_2", out, out, true);
    }

    NDArray forward(NDArray t) {
        try (Scope s = Scope.of(t)) {
            return s.keep(linear2.forward(Ops.silu(linear1.forward(t), mutation)));
        }
    }
}
