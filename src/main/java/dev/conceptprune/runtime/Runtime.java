package dev.conceptprune.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Where and how the networks compute: device, compute dtype and gradient mode, handed to every
 * component at load; it makes their managers. {@link #cpu()} (CPU, float32, no gradients) is the
 * default. libtorch's intra-op thread pool is one per process, so threads are a process setting
 * ({@link #setThreads}, {@link #pinThreads}) rather than a field.
 */
public final class Runtime {
    /** System property DJL's PyTorch engine reads its intra-op thread count from when it starts. */
    public static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

    private static final Runtime CPU = new Runtime(Device.cpu(), DataType.FLOAT32, false);

    private final Device device;
    private final DataType dtype;
    private final boolean gradients;

    private Runtime(Device device, DataType dtype, boolean gradients) {
        if (dtype == DataType.BFLOAT16) {
            requireBf16(device, gradients);
        } else if (dtype != DataType.FLOAT32) {
            throw new IllegalArgumentException("compute dtype " + dtype + " is not supported: float32 or bfloat16");
        }
        this.device = device;
        this.dtype = dtype;
        this.gradients = gradients;
    }

    /** The dtype {@link #selected()} computes in; set once per process by {@link #selectDtype}. */
    private static volatile DataType selectedDtype = DataType.FLOAT32;

    /** CPU, float32, no gradients: the reference runtime. */
    public static Runtime cpu() {
        return CPU;
    }

    /** The CPU runtime in the dtype the process selected ({@code --dtype}); float32 unless one was selected. */
    public static Runtime selected() {
        return CPU.withDtype(selectedDtype);
    }

    /**
     * Selects the compute dtype of {@link #selected()} for the rest of the process.
     *
     * @throws IllegalArgumentException when this machine cannot compute in it (see {@link #withDtype})
     */
    public static void selectDtype(DataType type) {
        CPU.withDtype(type);
        selectedDtype = type;
    }

    /**
     * This runtime with another compute dtype: float32, or bfloat16 on a CPU with avx512_bf16 or
     * amx_bf16 and without gradients (the gradient runtime stays float32).
     *
     * @throws IllegalArgumentException naming the reason when the dtype cannot be had here
     */
    public Runtime withDtype(DataType type) {
        return new Runtime(device, type, gradients);
    }

    /**
     * This runtime with gradients on or off. With gradients on, modules built for it compute
     * out of place, because libtorch's autograd refuses tensors that an in-place op has overwritten.
     */
    public Runtime withGradients(boolean on) {
        return new Runtime(device, dtype, on);
    }

    public Device device() {
        return device;
    }

    /**
     * The dtype the matrix products compute in: convolutions, linear layers and the UNet's attention.
     * Activations between them, norms, and what modules take and return stay float32 (autocast-like).
     */
    public DataType dtype() {
        return dtype;
    }

    /** True when modules must keep the autograd graph intact (no in-place ops). */
    public boolean gradients() {
        return gradients;
    }

    /** True when the matrix products compute in bfloat16. */
    public boolean bf16() {
        return dtype == DataType.BFLOAT16;
    }

    private static void requireBf16(Device device, boolean gradients) {
        if (!Device.cpu().equals(device)) {
            throw new IllegalArgumentException("bf16 compute is built for the CPU only, not " + device);
        }
        if (gradients) {
            throw new IllegalArgumentException("bf16 compute has no gradients: the gradient runtime stays float32");
        }
        if (!CpuFlags.hasBf16()) {
            throw new IllegalArgumentException("bf16 compute needs a CPU with avx512_bf16 or amx_bf16"
                    + " (this one has neither, so libtorch would emulate it slower than float32)");
        }
    }

    /** A new manager on this runtime's device; the caller closes it. */
    public NDManager newManager() {
        return NDManager.newBaseManager(device);
    }

    /**
     * A new manager on the host CPU whatever the runtime's device, for work that must happen there
     * (seeded noise, whose values are torch's CPU generator's); the caller closes it.
     */
    public static NDManager newHostManager() {
        return NDManager.newBaseManager(Device.cpu());
    }

    /**
     * Sets the libtorch intra-op thread count for when the engine starts (it reads the count once).
     *
     * @throws IllegalArgumentException when {@code n < 1}
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        }
        System.setProperty(THREADS_PROPERTY, String.valueOf(n));
    }

    /** The thread count set by {@link #setThreads}, else one per core. */
    public static int threads() {
        return Integer.getInteger(THREADS_PROPERTY, java.lang.Runtime.getRuntime().availableProcessors());
    }

    /**
     * Starts the engine with {@link #threads()} intra-op threads, also when it is already running
     * (then the property no longer acts and the count is set directly); returns the count in effect.
     */
    public static int pinThreads() {
        int n = threads();
        System.setProperty(THREADS_PROPERTY, String.valueOf(n));
        // a first manager loads libtorch's natives, which the thread calls below need
        newHostManager().close();
        if (JniUtils.getNumThreads() != n) {
            JniUtils.setNumThreads(n);
        }
        return JniUtils.getNumThreads();
    }

    /**
     * Makes the calling thread compute without recording gradients. libtorch keeps that mode per
     * thread and starts every new thread with recording on; DJL turns it off only on the thread that
     * started the engine, so a worker thread of its own must call this before its first module call
     * (without it, a Spark task thread ran the toy model's UNet a third slower).
     */
    public static void inferenceOnThisThread() {
        newHostManager().close();
        JniUtils.setGradMode(false);
    }

    @Override
    public String toString() {
        return device + " " + dtype + (gradients ? " with gradients" : "");
    }
}
