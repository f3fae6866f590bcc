package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import dev.conceptprune.model.SingleFileOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What completes a single-file checkpoint where its tensors and its family's conventions do not say enough. */
final class CheckpointOptions {
    @Option(names = "--config", paramLabel = "DIR",
            description = "For a single-file checkpoint: take the component configs and the tokenizer from this"
                    + " diffusers folder (as the config argument of diffusers' from_single_file), for files that do"
                    + " not follow their family's conventions.")
    Path configFolder;

    @Option(names = "--original-config", paramLabel = "FILE",
            description = "For a single-file checkpoint: its original LDM config, the yaml file that comes with SD 2"
                    + " files (parameterization, scale_factor, attention heads, image size).")
    Path originalConfig;

    @Option(names = "--prediction-type", paramLabel = "TYPE",
            description = "For a single-file checkpoint: epsilon or v_prediction (default: the original config's,"
                    + " else the family's: v_prediction for SD 2 as its 768-pixel release, epsilon for SD 1 and SDXL).")
    String predictionType;

    @Option(names = "--ema", description = "For a full training checkpoint: use the UNet's EMA weights (the"
            + " model_ema copies) instead of the trained ones.")
    boolean ema;

    /** The options as the model layer takes them. */
    SingleFileOptions options() {
        if (predictionType != null && !predictionType.equals("epsilon") && !predictionType.equals("v_prediction")) {
            throw new InputException("--prediction-type must be epsilon or v_prediction, got '" + predictionType + "'");
        }
        return new SingleFileOptions(configFolder, originalConfig, predictionType, ema);
    }
}
