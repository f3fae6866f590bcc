package dev.conceptprune.cli;

import dev.conceptprune.io.Progress;
import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Devices;
import dev.conceptprune.runtime.Runtime;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code conceptprune} command line. */
@Command(name = "conceptprune", mixinStandardHelpOptions = true, version = "conceptprune 0.1.0",
        description = {
            "Erase concepts (styles, objects, nudity, gender, memorised images) from Stable Diffusion models "
                    + "without training, by zeroing the few weights that carry them.",
            "",
            "Start with 'demo' (the embedded toy-world model, end to end), or 'inspect' a model folder. "
                    + "The global options --quiet, --threads, --device, --dtype and --conv work with every command, before or after its name.",
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

    private Device device = Device.cpu();
    private DataType dtype = DataType.FLOAT32;

    @CommandLine.Option(names = "--device", paramLabel = "DEVICE", scope = CommandLine.ScopeType.INHERIT,
            description = "Global: cpu (default), cuda, cuda:N or auto (the first CUDA device if libtorch sees one, "
                    + "else the CPU): where the networks compute. CUDA needs a CUDA build of libtorch of your own "
                    + "(PYTORCH_LIBRARY_PATH, see the README); seeded noise is drawn on the CPU either way, so seeds "
                    + "give the same starting latents on every device.")
    void device(String name) {
        try {
            device = Devices.resolve(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--device " + name + ": " + e.getMessage());
        }
    }

    @CommandLine.Option(names = "--dtype", paramLabel = "DTYPE", scope = CommandLine.ScopeType.INHERIT,
            description = "Global: float32 (default), bf16 or fp16, the dtype the convolutions, linear layers and "
                    + "UNet attention compute in. float32 is the reference; the 16-bit types cast those products' "
                    + "inputs and return float32 (norms, activations and schedulers stay float32). bf16 needs a CPU "
                    + "with avx512_bf16 or amx_bf16 or a CUDA device, and gave UNet outputs within 0.4 to 1.2 "
                    + "percent (relative error) of float32 on the test models; fp16 is for CUDA devices. Gradient "
                    + "commands (attack unlearndiffatk) refuse both.")
    void dtype(String name) {
        dtype = switch (name) {
            case "float32" -> DataType.FLOAT32;
            case "bf16" -> DataType.BFLOAT16;
            case "fp16" -> DataType.FLOAT16;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--dtype must be float32, bf16 or fp16, got '" + name + "'");
        };
    }

    private ConvAlgorithm conv = ConvAlgorithm.DEFAULT;

    @CommandLine.Option(names = "--conv", paramLabel = "ALGORITHM", scope = CommandLine.ScopeType.INHERIT,
            description = "Global: winograd (default), winograd4 or direct, how float32 3x3 convolutions with at "
                    + "least 256 channels in and out compute on the CPU. winograd: Winograd's F(2x2, 3x3), 2.25x "
                    + "fewer multiplications at the direct convolution's rounding error. winograd4: F(4x4, 3x3) "
                    + "on 32x32 images and up, 4x fewer, but 4-17x the direct convolution's error (2-6e-6 "
                    + "of the output). direct: libtorch's convolution everywhere. SD 1.5's UNet at 512x512 (the "
                    + "README has the figures): winograd about 10 percent faster than direct, winograd4 about "
                    + "20 percent. 16-bit dtypes always take libtorch's; with gradients (attack unlearndiffatk) "
                    + "the same Winograd forward is differentiated.")
    void conv(String name) {
        try {
            conv = ConvAlgorithm.of(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--conv " + e.getMessage());
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
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        ErrorHandler errors = new ErrorHandler();
        cl.setExecutionExceptionHandler(errors);
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionStrategy(parsed -> main.execute(cl, parsed));
        return cl;
    }

    /**
     * Runs the parsed command on the runtime its --device and --dtype select, for that command only (tests run
     * many command lines in one process).
     */
    private int execute(CommandLine cl, CommandLine.ParseResult parsed) {
        try {
            Runtime.select(device, dtype);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--device " + Runtime.name(device) + " --dtype "
                    + Runtime.name(dtype) + ": " + e.getMessage());
        }
        Runtime.setConvAlgorithm(conv);
        try {
            return new CommandLine.RunLast().execute(parsed);
        } finally {
            Runtime.selectDefault();
            Runtime.setConvAlgorithm(ConvAlgorithm.DEFAULT);
        }
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
