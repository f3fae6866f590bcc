package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code time_proj}: the sinusoidal embedding of a scalar timestep. Frequencies
 * exp(-ln(10000) i / (half - shift)) and arguments t * freq are float32 as in diffusers, and
 * exp/sin/cos run in libtorch, so fractional (Euler) timesteps embed exactly the same way.
 */
final class TimestepProjection {
    private final int dim;
    private final boolean flipSinToCos;
    private final float[] freqs;

    TimestepProjection(NDManager manager, int dim, boolean flipSinToCos, double freqShift) {
        this.dim = dim;
        this.flipSinToCos = flipSinToCos;
        int half = dim / 2;
        try (NDManager tmp = manager.newSubManager();
             NDArray i = tmp.arange(0f, half, 1f, DataType.FLOAT32);
             NDArray exponent = i.mul((float) -Math.log(UNetConfig.TIMESTEP_MAX_PERIOD));
             NDArray scaled = exponent.div((float) (half - freqShift));
             NDArray f = scaled.exp()) {
            freqs = f.toFloatArray();
        }
    }

    /** The embedding of {@code t} as a [1, dim] array owned by {@code manager}. */
    NDArray forward(NDManager manager, float t) {
        return forward(manager, new float[] {t});
    }

    /** The embeddings of {@code ts} as an [n, dim] array owned by {@code manager}, row i for ts[i]. */
    NDArray forward(NDManager manager, float[] ts) {
        float[] args = new float[ts.length * freqs.length];
        for (int r = 0; r < ts.length; r++) {
            for (int i = 0; i < freqs.length; i++) {
                args[r * freqs.length + i] = ts[r] * freqs[i];
            }
        }
        try (NDArray arg = manager.create(args, new Shape(ts.length, freqs.length));
             NDArray sin = arg.sin();
             NDArray cos = arg.cos()) {
            NDArray emb = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
            if (dim % 2 == 0) {
                return emb;
            }
            try (emb; NDArray zero = manager.zeros(new Shape(ts.length, 1))) {
                return emb.concat(zero, 1);
            }
        }
    }
}
