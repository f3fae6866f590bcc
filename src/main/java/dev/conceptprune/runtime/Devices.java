package dev.conceptprune.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;

/**
 * The devices libtorch here can compute on, and a command's {@code --device} name resolved against
 * them. DJL's CUDA natives are not on Maven Central: a CUDA libtorch comes from the user's own install
 * ({@code PYTORCH_LIBRARY_PATH}, see the README), and without one only the CPU is there.
 */
public final class Devices {
    /** The names {@link #resolve} takes, for help and errors. */
    public static final String NAMES = "cpu, cuda, cuda:N or auto";

    private Devices() {
    }

    /**
     * The device {@code name} means: {@code cpu}; {@code cuda} (the first CUDA device) or {@code cuda:N};
     * {@code auto}, the first CUDA device when there is one, else the CPU.
     *
     * @throws IllegalArgumentException when the name is none of these, or names a CUDA device libtorch
     *                                  here does not have
     */
    public static Device resolve(String name) {
        if ("cpu".equals(name)) {
            return Device.cpu();
        }
        if ("auto".equals(name)) {
            return cudaCount() > 0 ? Device.gpu(0) : Device.cpu();
        }
        int id;
        if ("cuda".equals(name)) {
            id = 0;
        } else if (name.matches("cuda:[0-9]{1,4}")) {
            id = Integer.parseInt(name.substring("cuda:".length()));
        } else {
            throw new IllegalArgumentException("device must be " + NAMES + ", got '" + name + "'");
        }
        int count = cudaCount();
        if (count == 0) {
            throw new IllegalArgumentException("libtorch " + Engine.getEngine("PyTorch").getVersion()
                    + " here sees no CUDA device (a CPU build of libtorch, or no GPU): point PYTORCH_LIBRARY_PATH"
                    + " at a CUDA libtorch's lib folder, with PYTORCH_VERSION and PYTORCH_FLAVOR (README, GPU)");
        }
        if (id >= count) {
            throw new IllegalArgumentException("there is no CUDA device " + id + ": libtorch sees " + count);
        }
        return Device.gpu(id);
    }

    /** CUDA devices libtorch here can compute on: 0 with a CPU build of libtorch. */
    public static int cudaCount() {
        Engine engine = Engine.getEngine("PyTorch");
        return engine.hasCapability(StandardCapabilities.CUDA) ? engine.getGpuCount() : 0;
    }
}
