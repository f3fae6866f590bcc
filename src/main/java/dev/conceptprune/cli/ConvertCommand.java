package dev.conceptprune.cli;

import dev.conceptprune.convert.ModelConversion;
import dev.conceptprune.model.ModelSource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Converts a model between a diffusers folder and a single-file checkpoint. */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert between a diffusers folder and a single-file checkpoint.",
            "",
            "A single file (.safetensors or legacy .ckpt in the LDM layout of A1111 and ComfyUI) becomes a "
                + "diffusers folder; an SD 1.x or SDXL base diffusers folder becomes one .safetensors file; a .ckpt becomes the "
                + ".safetensors of the same tensors. Tensors keep their dtype and bits, so round trips give back "
                + "the same tensors. The output's name picks the layout: .safetensors for a single file, anything "
                + "else for a folder.",
            ""})
public final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "The model to convert: a diffusers folder, or a .safetensors / .ckpt single file.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "PATH",
            description = "The converted model: NAME.safetensors for a single file, any other name for a folder.")
    Path out;

    @Option(names = "--force", description = "Replace an existing output.")
    boolean force;

    @Mixin
    CheckpointOptions checkpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ModelConversion conversion = ModelConversion.plan(ModelSource.open(model, checkpoint.options()), out, force);
        conversion.run();
        spec.commandLine().getOut().printf("%s: %s%n", conversion.layout() == ModelConversion.Layout.SINGLE_FILE
                ? "single file" : "diffusers folder", out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
