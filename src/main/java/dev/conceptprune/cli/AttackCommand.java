package dev.conceptprune.cli;

import dev.conceptprune.attack.RecoveryAttack;
import dev.conceptprune.attack.RecoveryResult;
import dev.conceptprune.attack.RecoverySettings;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.model.ModelSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Attacks an edited model to bring an erased concept back; each method has its own options. */
@Command(name = "attack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Attack an edited model to bring an erased concept back.",
            "",
            "--method recover is the weight-recovery attack of \"Roots Beneath the Cut\" (Zhang et al., CVPR 2026). "
                    + "The attacker needs only the edited model: in each weight matrix of the chosen --site, the exact "
                    + "zeros are the pruned entries. A low-rank matrix completion (soft-thresholded SVD) estimates "
                    + "them, the --top-ratio share with the largest estimates keeps its sign and the rest stays 0, "
                    + "and each kept entry takes the largest magnitude of its row, so that the revived weights "
                    + "dominate their neuron. Matrices with fewer zeros than --min-zero-share are left as they are.",
            "",
            "A model erased with 'erase --fill gaussian' has no zeros at the pruned positions, which hides them "
                    + "from this attack.",
            "",
            "Writes OUT/model/ (the recovered diffusers folder) or, for a single-file checkpoint, OUT/<its file "
                    + "name> (same layout, only recovered entries differ), and OUT/recovery.json.",
            ""})
public final class AttackCommand implements Callable<Integer> {
    private static final List<String> METHODS = List.of("recover");

    @Option(names = "--method", required = true, paramLabel = "METHOD",
            description = "The attack: recover (the weight-recovery attack described above).")
    String method;

    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "The edited model to attack: a diffusers folder or a single-file checkpoint.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output folder for the attacked model and the summary.")
    Path out;

    @Option(names = "--force", description = "Replace existing outputs.")
    boolean force;

    @Mixin
    CheckpointOptions checkpoint;

    @ArgGroup(exclusive = false, heading = "%nOptions of --method recover:%n")
    RecoverOptions recover = new RecoverOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!METHODS.contains(method)) {
            throw new InputException("--method must be one of " + String.join(", ", METHODS) + "; got '" + method
                    + "'");
        }
        return recover();
    }

    private int recover() {
        RecoverySettings settings = recover.settings();
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", model).folder());
        ModelSource source = ModelSource.open(model, checkpoint.options());
        RecoveryResult r = new RecoveryAttack(source, settings, Main.progress(spec)).run(out, force);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("recovered %d matri%s (%,d of %,d pruned entries set), skipped %d%n", r.matricesRecovered(),
                r.matricesRecovered() == 1 ? "x" : "ces", r.entriesSet(), r.entriesMissing(), r.matricesSkipped());
        o.printf("attacked model: %s%nsummary: %s%n", out.resolve(r.recoveredModel()),
                out.resolve(RecoveryAttack.SUMMARY));
        o.flush();
        return 0;
    }
}
