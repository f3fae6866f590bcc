package dev.conceptprune.runtime;

/**
 * Meters the compute ops of one thread while it is open: per op kind the number of calls, the
 * analytic FLOPs (two per multiply-add, from the operand shapes; bias adds and normalisation
 * arithmetic are not counted) and the wall time spent in the op. Closed meters cost the ops one
 * thread-local read each; libtorch's CPU ops are synchronous, so wall time is kernel time plus
 * the JNI call and the result's allocation.
 */
public final class OpMeter implements AutoCloseable {
    /**
     * The op kinds the profile tells apart; ATTENTION is the fused kernel, both products and the softmax;
     * WINOGRAD the 3x3 convolutions computed by Winograd's minimal filtering, counted at the direct
     * convolution's FLOPs (so their rate is an effective one, above what the products run at); GROUP_NORM
     * includes the SiLU computed in the same call after most group norms.
     */
    public enum Kind {
        CONV, WINOGRAD, LINEAR, ATTENTION, GROUP_NORM, LAYER_NORM;

        /** True for the kinds whose FLOPs are counted: convolutions, matrix products, fused attention. */
        public boolean isMatmul() {
            return this == CONV || this == WINOGRAD || this == LINEAR || this == ATTENTION;
        }
    }

    private static final ThreadLocal<OpMeter> OPEN = new ThreadLocal<>();

    private final long[] calls = new long[Kind.values().length];
    private final long[] flops = new long[Kind.values().length];
    private final long[] nanos = new long[Kind.values().length];

    private OpMeter() {
    }

    /** Starts metering the calling thread's ops until {@link #close()}; one meter per thread at a time. */
    public static OpMeter open() {
        if (OPEN.get() != null) {
            throw new IllegalStateException("an op meter is already open on this thread");
        }
        OpMeter m = new OpMeter();
        OPEN.set(m);
        return m;
    }

    /** A start time for {@link #record}, or 0 when no meter is open (then no clock is read). */
    public static long start() {
        return OPEN.get() == null ? 0 : System.nanoTime();
    }

    /** Adds one op of {@code kind} begun at {@code start} to the open meter, if any. */
    public static void record(Kind kind, long start, long opFlops) {
        OpMeter m = OPEN.get();
        if (m != null) {
            m.calls[kind.ordinal()]++;
            m.flops[kind.ordinal()] += opFlops;
            m.nanos[kind.ordinal()] += System.nanoTime() - start;
        }
    }

    /** FLOPs of {@code x W^T} for {@code rows} rows: 2 rows in out. */
    public static long linearFlops(long rows, long in, long out) {
        return 2 * rows * in * out;
    }

    /** FLOPs of a dense 2-D convolution producing [batch, out, outH, outW] from {@code in} channels. */
    public static long convFlops(long batch, long in, long out, long kernelH, long kernelW, long outH, long outW) {
        return 2 * batch * out * outH * outW * in * kernelH * kernelW;
    }

    /** FLOPs of attention's two products, scores = Q K^T and out = P V, over {@code batchHeads} heads of size d. */
    public static long attentionFlops(long batchHeads, long queries, long keys, long headDim) {
        return 2 * 2 * batchHeads * queries * keys * headDim;
    }

    /** Ops of kind {@code k} metered so far. */
    public long calls(Kind k) {
        return calls[k.ordinal()];
    }

    /** Their analytic FLOPs. */
    public long flops(Kind k) {
        return flops[k.ordinal()];
    }

    /** Their wall time in nanoseconds. */
    public long nanos(Kind k) {
        return nanos[k.ordinal()];
    }

    @Override
    public void close() {
        if (OPEN.get() == this) {
            OPEN.remove();
        }
    }
}
