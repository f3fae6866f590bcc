package dev.conceptprune.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model} option of the commands that fall back to the embedded toy-world model. */
final class ModelOption {
    @Option(names = "--model", paramLabel = "DIR", description = "Diffusers model folder. Default: the embedded toy-world model.")
    Path model;

    /** Whether {@code --model} was given. */
    boolean given() {
        return model != null;
    }

    /** The given folder, or the embedded toy-world model. */
    Path folder() {
        return model == null ? DefaultModel.model() : model;
    }
}
