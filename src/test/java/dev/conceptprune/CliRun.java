package dev.conceptprune;

import dev.conceptprune.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * One command line run in-process, as {@code conceptprune ARGS...} would run it, with what it
 * printed captured.
 *
 * @param code the exit code
 * @param out everything written to standard output
 * @param err everything written to standard error
 */
public record CliRun(int code, String out, String err) {
    /** Runs the command line with these arguments. */
    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs the command line with these arguments. */
    public static CliRun run(List<String> args) {
        return run(args.toArray(new String[0]));
    }
}
