package dev.conceptprune.cli;

import dev.conceptprune.model.ModelSource;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code --model} option of the commands that fall back to the embedded toy-world model. */
final class ModelOption {
    @Option(names = "--model", paramLabel = "PATH", description = "Diffusers model folder or a single-file SD 1, SD 2 or"
            + " SDXL base checkpoint in the layout that A1111 and ComfyUI use, safetensors or ckpt (default: the embedded"
            + " toy-world model).")
    Path model;

    @Mixin
    CheckpointOptions checkpoint;

    /** Whether {@code --model} was given. */
    boolean given() {
        return model != null;
    }

    /** The given folder, or the embedded toy-world model. */
    Path folder() {
        return model == null ? DefaultModel.model() : model;
    }

    /** The model, opened with the single-file options. */
    ModelSource open() {
        return ModelSource.open(folder(), checkpoint.options());
    }
}
