package dev.conceptprune.cli;

import dev.conceptprune.eval.OutputFolderInUseException;
import dev.conceptprune.io.InputException;
import dev.conceptprune.runtime.MemoryCheck;
import dev.conceptprune.runtime.ProcessMemory;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;

/**
 * The one place that turns a failure into a message and an exit code: {@link #OK} 0, {@link #FAILURE}
 * 1 (the work failed: I/O, memory, a bug), {@link #BAD_INPUT} 2 (arguments, prompt files, configs or
 * weight files that cannot be used, outputs that cannot be written: {@code OutputException} is an
 * {@code InputException}). Every failure prints one {@code error:} line; a stack trace only
 * for internal failures with {@code CONCEPTPRUNE_DEBUG} set.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int BAD_INPUT = 2;

    /** The exit code of a failure of a command's work. */
    static int exitCode(Exception ex) {
        // IllegalArgumentException still means bad input: eval/, bench/ and the pipeline's settings reject user
        // input with it until they throw InputException (issue 12); then it becomes an internal failure.
        if (ex instanceof InputException || ex instanceof CommandLine.ParameterException
                || ex instanceof IllegalArgumentException) {
            return BAD_INPUT;
        }
        return FAILURE;
    }

    /**
     * The message for an out-of-memory failure: the JVM's cap on direct buffers (which carry every
     * weight into libtorch) has its own remedy; anything else is the machine's memory.
     */
    static String outOfMemory(OutOfMemoryError e) {
        if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("direct buffer memory")) {
            return "out of memory for tensors: this JVM caps them at " + String.format(java.util.Locale.ROOT, "%.1f GiB",
                    ProcessMemory.directLimitBytes() / 1073741824.0) + " (-XX:MaxDirectMemorySize); run through the "
                    + "conceptprune launcher, which raises the cap to the machine's memory, or pass a larger "
                    + "-XX:MaxDirectMemorySize to java";
        }
        return "out of memory; the model or image size is too large for this machine";
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        int code = exitCode(ex);
        if (code == BAD_INPUT || ex instanceof UncheckedIOException
                || ex instanceof MemoryCheck.InsufficientMemoryException) {
            cmd.getErr().println("error: " + message(ex));
            return code;
        }
        cmd.getErr().println("error: internal failure: " + ex);
        if (System.getenv("CONCEPTPRUNE_DEBUG") != null) {
            ex.printStackTrace(cmd.getErr());
        }
        return code;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String tryHelp = "Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.";
        // picocli reports missing required options before unmatched arguments, which hides a misspelt
        // option behind "Missing required option": the unmatched argument is the real mistake.
        List<String> unmatched = cmd.getUnmatchedArguments();
        if (unmatched.isEmpty()) {
            err.println("error: " + ex.getMessage());
            err.println(tryHelp);
            return BAD_INPUT;
        }
        String first = unmatched.get(0);
        String name = first.startsWith("-") && first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
        List<String> suggestions = new CommandLine.UnmatchedArgumentException(cmd, unmatched).getSuggestions()
                .stream().filter(s -> nearMiss(name, s)).toList();
        if (first.startsWith("-")) {
            err.println("error: unknown option '" + name + "'"
                    + (suggestions.isEmpty() ? "" : " (did you mean " + suggestions.get(0) + "?)"));
            err.println(tryHelp);
        } else if (!cmd.getSubcommands().isEmpty() && cmd.getParseResult().subcommand() == null) {
            err.println("error: unknown command '" + first + "'");
            err.println(suggestions.isEmpty() ? tryHelp : "Did you mean: " + suggestions.get(0) + "?");
        } else {
            err.println("error: unexpected argument '" + first + "'");
            err.println(tryHelp);
        }
        return BAD_INPUT;
    }

    /**
     * Whether {@code candidate} is what a user who typed {@code typed} probably meant: a prefix either way, or
     * a few typos away. picocli's own suggestions also offer names that merely share letters.
     */
    static boolean nearMiss(String typed, String candidate) {
        if (candidate.startsWith(typed) || typed.startsWith(candidate)) {
            return true;
        }
        int[] row = new int[candidate.length() + 1];
        for (int j = 0; j <= candidate.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= typed.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= candidate.length(); j++) {
                int above = row[j];
                int substitution = diagonal + (typed.charAt(i - 1) == candidate.charAt(j - 1) ? 0 : 1);
                row[j] = Math.min(substitution, Math.min(above, row[j - 1]) + 1);
                diagonal = above;
            }
        }
        return row[candidate.length()] <= Math.max(2, candidate.length() / 3);
    }

    /** The library's message, with the options that resolve it where a command line can. */
    private static String message(Exception ex) {
        if (ex instanceof OutputFolderInUseException) {
            return ex.getMessage() + "; use --force to replace it or choose another --out";
        }
        return ex.getMessage();
    }

    /** Runs a library parse of an option's value; bad input is reported under the option's name. */
    static <T> T option(String name, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InputException e) {
            throw new InputException(name + ": " + e.getMessage(), e);
        }
    }
}
