package dev.conceptprune.runtime;

import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import java.util.List;
import java.util.Locale;

/**
 * Refuses to load a model that cannot fit: weights are held as float32 in native memory, so the
 * need is known from the headers before anything is allocated. Fails early with the figures
 * instead of an out-of-memory crash halfway through loading.
 */
public final class MemoryCheck {
    /** Share of the weights' size kept free for activations and the JVM. */
    static final double HEADROOM = 1.5;

    private MemoryCheck() {
    }

    /** Thrown when the machine has too little memory; the message states required vs available. */
    public static final class InsufficientMemoryException extends RuntimeException {
        InsufficientMemoryException(String message) {
            super(message);
        }
    }

    /** Number of weights over the given components of a model, read from the headers. */
    public static long parameterCount(ModelSource source, List<Component> components) {
        long n = 0;
        for (Component c : components) {
            try (TensorSource s = source.tensors(c)) {
                n += s.parameterCount();
            }
        }
        return n;
    }

    /** Checks that {@code parameters} float32 weights fit in the memory available now. */
    public static void requireFor(long parameters, String what) {
        requireDirect(parameters * 4L, what);
        long available = ProcessMemory.availableBytes();
        if (available > 0) {
            require((long) (parameters * 4L * HEADROOM), available, what);
        }
    }

    /**
     * Fails when {@code weightBytes} exceed what this JVM lets tensors built from Java buffers hold
     * ({@link ProcessMemory#directLimitBytes}): the launcher raises that limit to the machine's
     * memory, a plain {@code java -jar} leaves it at the heap's size.
     */
    public static void requireDirect(long weightBytes, String what) {
        requireDirect(weightBytes, ProcessMemory.directLimitBytes(), what);
    }

    static void requireDirect(long weightBytes, long limit, String what) {
        if (weightBytes > limit) {
            throw new InsufficientMemoryException(String.format(Locale.ROOT,
                    "%s has %.1f GiB of float32 weights but this JVM lets tensors hold only %.1f GiB "
                            + "(-XX:MaxDirectMemorySize); run it through the conceptprune launcher, which raises the "
                            + "limit to the machine's memory, or pass -XX:MaxDirectMemorySize=%dg to java",
                    what, weightBytes / 1073741824.0, limit / 1073741824.0,
                    (long) Math.ceil(weightBytes * HEADROOM / 1073741824.0)));
        }
    }

    /** True when {@code parameters} float32 weights, with the working headroom, fit in {@code available} bytes. */
    public static boolean fits(long parameters, long available) {
        return parameters * 4L * HEADROOM <= available;
    }

    /** Fails when {@code needed} exceeds {@code available} bytes. */
    static void require(long needed, long available, String what) {
        if (needed > available) {
            throw new InsufficientMemoryException(String.format(Locale.ROOT,
                    "%s needs about %.1f GiB of memory (float32 weights plus working space), only %.1f GiB available",
                    what, needed / 1073741824.0, available / 1073741824.0));
        }
    }
}
