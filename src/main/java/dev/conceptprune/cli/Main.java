package dev.conceptprune.cli;

import dev.conceptprune.io.Progress;
import dev.conceptprune.runtime.MemoryCheck;
import ai.djl.ndarray.types.DataType;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.io.WeightFormatException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code conceptprune} command line. */
@Command(name = "conceptprune", mixinStandardHelpOptions = true, version = "conceptprune 0.1.0",
        description = {
            "Erase concepts (styles, objects, nudity, gender, memorised images) from Stable Diffusion models "
                    + "without training, by zeroing the few weights that carry them.",
            "",
            "Start with 'demo' (the embedded toy-world model, end to end), or 'inspect' a model folder. "
                    + "The global options --quiet, --threads and --dtype work with every command, before or after its name.",
            ""},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done", "  1  failure (I/O, memory, internal error)",
            "  2  bad input (arguments, prompt files, configs, weight files)", ""},
        subcommands = {DemoCommand.class, InspectCommand.class, TokenizeCommand.class, GenerateCommand.class,
            EraseCommand.class, ApplyCommand.class, AttackCommand.class, ConvertCommand.class, EvalCommand.class, DetectCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad input: arguments, prompt files, configs, weight files. */
    public static final int EXIT_BAD_INPUT = ErrorHandler.BAD_INPUT;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--threads", paramLabel = "N", scope = CommandLine.ScopeType.INHERIT,
            description = "Global: libtorch intra-op threads of any command (default: one per core).")
    void threads(int n) {
        if (n < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + n);
        }
        Runtime.setThreads(n);
    }

    @CommandLine.Option(names = "--dtype", paramLabel = "DTYPE", scope = CommandLine.ScopeType.INHERIT,
            description = "Global: float32 or bf16, the dtype the convolutions, linear layers and UNet attention compute in. "
                    + "float32 (default) is the reference; bf16 casts their inputs to bfloat16 and their results "
                    + "back (norms, activations and schedulers stay float32), needs a CPU with avx512_bf16 or "
                    + "amx_bf16, and gave UNet outputs within 0.4 to 1.2 percent (relative error) of float32 on "
                    + "the test models. Gradient commands (attack unlearndiffatk) refuse it.")
    void dtype(String name) {
        DataType type = switch (name) {
            case "float32" -> DataType.FLOAT32;
            case "bf16" -> DataType.BFLOAT16;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--dtype must be float32 or bf16, got '" + name + "'");
        };
        try {
            Runtime.selectDtype(type);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dtype " + name + ": " + e.getMessage());
        }
    }

    private boolean quiet;

    @CommandLine.Option(names = "--quiet", scope = CommandLine.ScopeType.INHERIT,
            description = "Global: no progress lines on stderr from any command (results, warnings and errors "
                    + "are still printed).")
    void quiet(boolean q) {
        quiet = q;
    }

    /** The progress reporter of a (sub)command: on its stderr, silent with --quiet. */
    static Progress progress(CommandLine.Model.CommandSpec command) {
        Main main = (Main) command.root().userObject();
        return Progress.to(command.commandLine().getErr(), main.quiet);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with our error handling: one line per failure, no stack traces. */
    public static CommandLine commandLine() {
        // --dtype selects for the process; a command line without it computes in float32 also after one with it
        Runtime.selectDtype(DataType.FLOAT32);
        CommandLine cl = new CommandLine(new Main());
        ErrorHandler errors = new ErrorHandler();
        cl.setExecutionExceptionHandler(errors);
        cl.setParameterExceptionHandler(errors);
        return cl;
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        int code;
        try {
            code = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            if (System.getenv("CONCEPTPRUNE_DEBUG") != null) {
                e.printStackTrace();
            }
            System.err.println("error: " + ErrorHandler.outOfMemory(e));
            code = ErrorHandler.FAILURE;
        }
        System.exit(code);
    }
}
