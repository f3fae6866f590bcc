package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.prune.MaskApplication;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.model.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Applies saved masks (united) to a base model and writes the edited model in the base's layout. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Apply saved masks to a base model and write the edited model.",
            "",
            "Unites the masks and writes the edited diffusers folder or, for a single-file checkpoint, "
                    + "OUT/<its file name> in the same layout. A mask computed on another model is refused "
                    + "(fingerprint check); masks name diffusers parameters, so a mask found on a folder applies to "
                    + "the single file of the same weights and back. The pruned weights get the fill the masks "
                    + "record (zero, erase --fill gaussian's seeded noise, or the matched values the mask carries), so "
                    + "apply reproduces erase's model; masks of different fills, or several with matched values, are "
                    + "not united.",
            ""})
public final class ApplyCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "The base model the masks were computed on: a diffusers folder or a single-file checkpoint.")
    Path model;

    @Option(names = "--mask", required = true, paramLabel = "FILE", description = "A .mask.safetensors file (repeatable).")
    List<Path> masks;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the edited model.")
    Path out;

    @Option(names = "--force", description = "Replace an existing output folder.")
    boolean force;

    @Mixin
    CheckpointOptions checkpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", model).clearOf("mask", masks).folder());
        if (Files.exists(out) && !force) {
            throw new InputException(out + " already exists; use --force to replace it");
        }
        PruneMask all = MaskApplication.apply(ModelSource.open(model, checkpoint.options()), masks, out, force);
        spec.commandLine().getOut().printf("applied %d mask(s), %,d weights pruned (fill %s): %s%n", masks.size(), all.count(),
                all.fill(), out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
