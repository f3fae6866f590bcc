package dev.conceptprune.cli;

import dev.conceptprune.pipeline.MemoryCheck;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.weights.WeightFormatException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code conceptprune} command line. */
@Command(name = "conceptprune", mixinStandardHelpOptions = true, version = "conceptprune 0.1.0",
        description = {
            "Erase concepts (styles, objects, nudity, gender, memorised images) from Stable Diffusion",
            "models without training, by zeroing the few feed-forward weights that carry them.",
            "",
            "Start with 'demo' (the embedded toy-world model, end to end), or 'inspect' a model folder."},
        subcommands = {DemoCommand.class, InspectCommand.class, TokenizeCommand.class, GenerateCommand.class,
            EraseCommand.class, ApplyCommand.class, EvalCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad input: arguments, configs, weight files. */
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--threads", paramLabel = "N", scope = CommandLine.ScopeType.INHERIT,
            description = "libtorch intra-op threads (default: one per core).")
    void threads(int n) {
        if (n < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + n);
        }
        Runtime.setThreads(n);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with our error handling: one line per failure, no stack traces. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof WeightFormatException || ex instanceof IllegalArgumentException
                    || ex instanceof CommandLine.ParameterException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof UncheckedIOException || ex instanceof MemoryCheck.InsufficientMemoryException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 1;
            }
            cmd.getErr().println("error: internal failure: " + ex);
            if (System.getenv("CONCEPTPRUNE_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + ex.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
            return EXIT_BAD_INPUT;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        int code;
        try {
            code = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("error: out of memory; the model or image size is too large for this machine");
            code = 1;
        }
        System.exit(code);
    }
}
