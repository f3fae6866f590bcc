package dev.conceptprune.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Where and how the networks compute: device, compute dtype and gradient mode, handed to every
 * component at load; it makes their managers. {@link #cpu()} (CPU, float32, no gradients) is the
 * reference. A command's {@code --device} and {@code --dtype} become {@link #selected()}, which what
 * a command loads without an explicit runtime computes on. libtorch's intra-op thread pool is one per
 * process, so threads are a process setting ({@link #setThreads}, {@link #pinThreads}) rather than a
 * field; so is the float32 convolution algorithm ({@link #setConvAlgorithm}), which changes no result
 * beyond float32 rounding.
 */
public final class Runtime {
    /** System property DJL's PyTorch engine reads its intra-op thread count from when it starts. */
    public static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

    private static final Runtime CPU = new Runtime(Device.cpu(), DataType.FLOAT32, false);

    /** What {@link #selected()} returns; {@link #select} sets it for one command. */
    private static volatile Runtime selected = CPU;

    /** What {@link #convAlgorithm()} returns. */
    private static volatile ConvAlgorithm convAlgorithm = ConvAlgorithm.DEFAULT;

    private final Device device;
    private final DataType dtype;
    private final boolean gradients;

    private Runtime(Device device, DataType dtype, boolean gradients) {
        if (dtype == DataType.BFLOAT16 || dtype == DataType.FLOAT16) {
            if (gradients) {
                throw new IllegalArgumentException(name(dtype) + " compute has no gradients: the gradient runtime"
                        + " stays float32");
            }
            if (dtype == DataType.BFLOAT16 && !device.isGpu() && !CpuFlags.hasBf16()) {
                throw new IllegalArgumentException("bf16 compute needs a CPU with avx512_bf16 or amx_bf16"
                        + " (this one has neither, so libtorch would emulate it slower than float32)");
            }
        } else if (dtype != DataType.FLOAT32) {
            throw new IllegalArgumentException("compute dtype " + dtype + " is not supported: float32, bf16 or"
                    + " fp16");
        }
        this.device = device;
        this.dtype = dtype;
        this.gradients = gradients;
    }

    /** CPU, float32, no gradients: the reference runtime. */
    public static Runtime cpu() {
        return CPU;
    }

    /** A runtime without gradients on {@code device} computing in {@code dtype} (see {@link #withDtype}). */
    public static Runtime of(Device device, DataType dtype) {
        return new Runtime(device, dtype, false);
    }

    /** The runtime the running command selected ({@code --device}, {@code --dtype}); {@link #cpu()} unless one did. */
    public static Runtime selected() {
        return selected;
    }

    /**
     * Selects what {@link #selected()} returns until {@link #selectDefault()}: the command line does it for
     * the length of one command. float16 is refused on the CPU, where libtorch has no fast float16 products
     * (bf16 is the CPU's 16-bit type).
     *
     * @throws IllegalArgumentException naming the reason when this machine cannot compute so
     */
    public static void select(Device device, DataType dtype) {
        if (dtype == DataType.FLOAT16 && !device.isGpu()) {
            throw new IllegalArgumentException("fp16 compute is for CUDA devices; on the CPU use bf16");
        }
        selected = of(device, dtype);
    }

    /** Selects {@link #cpu()} again. */
    public static void selectDefault() {
        selected = CPU;
    }

    /**
     * This runtime with another compute dtype: float32; bfloat16 on a CUDA device or on a CPU with
     * avx512_bf16 or amx_bf16; float16; the 16-bit types without gradients (the gradient runtime stays
     * float32).
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

    /** True when the matrix products compute in a 16-bit type (bfloat16 or float16). */
    public boolean halfPrecision() {
        return dtype != DataType.FLOAT32;
    }

    /** The command-line name of a compute dtype: float32, bf16 or fp16. */
    public static String name(DataType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "float32";
            case BFLOAT16 -> "bf16";
            case FLOAT16 -> "fp16";
            default -> dtype.toString();
        };
    }

    /** The command-line name of a device: cpu, or cuda:N. */
    public static String name(Device device) {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
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
     * Sets how float32 3x3 convolutions compute on the CPU from now on, process-wide; {@link ConvAlgorithm#DEFAULT}
     * unless set.
     */
    public static void setConvAlgorithm(ConvAlgorithm a) {
        convAlgorithm = a;
    }

    /** The float32 CPU convolution algorithm in effect. */
    public static ConvAlgorithm convAlgorithm() {
        return convAlgorithm;
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
        return name(device) + " " + name(dtype) + (gradients ? " with gradients" : "");
    }
}
