package dev.conceptprune.eval;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.runtime.Devices;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Path;

/**
 * A model under evaluation.
 *
 * @param name   unique among the run's models; names its image folder and report column
 * @param path   the diffusers folder or single-file checkpoint, absolute
 * @param key    {@link ContentKeys#ofModel} of the folder, so that edited weights regenerate
 * @param height image height this model generates at
 * @param width  image width this model generates at
 * @param options how to complete a single-file checkpoint ({@link SingleFileOptions#NONE} for a folder)
 * @param decode  the VAE decode's tiles, chosen once by the plan so that every writer decodes alike
 * @param defaults this model's sampler defaults for rows that give none (SDXL guides with 5, SD with
 *                 7.5; SDXL's conditions), or null for the plan's
 * @param compute  the dtype its products compute in ({@link Runtime#dtype()}); every writer, a Spark
 *                 executor too, loads the model in it, and a dtype other than float32 joins the key
 * @param device   where it computes ({@link Runtime#name(Device)}: cpu or cuda:N); a device other than the
 *                 CPU joins the key (its kernels round differently)
 */
public record EvalModel(String name, Path path, String key, int height, int width, SingleFileOptions options,
                        DecodeTiling decode, GenerationSettings defaults, DataType compute,
                        String device) {
    /** A model decoded whole, computing in float32 on the CPU, with the plan's defaults. */
    public EvalModel(String name, Path path, String key, int height, int width, SingleFileOptions options) {
        this(name, path, key, height, width, options, DecodeTiling.WHOLE, null, DataType.FLOAT32, "cpu");
    }

    /**
     * The runtime its pipeline loads on: its device in its compute dtype.
     *
     * @throws IllegalArgumentException when this machine has not that device or cannot compute so
     */
    public Runtime runtime() {
        return Runtime.of(Devices.resolve(device), compute);
    }

    /** Opens the model. */
    public ModelSource open() {
        return ModelSource.open(path, options);
    }
}
