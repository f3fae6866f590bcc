package dev.conceptprune.io;

import dev.conceptprune.io.InputException;
import java.nio.file.Path;

/**
 * A weight or config file that violates the format. The message is one line naming the file
 * and the broken rule, fit to show a user as it is.
 */
public class WeightFormatException extends InputException {
    public WeightFormatException(Path file, String rule) {
        super(file + ": " + rule);
    }

    public WeightFormatException(Path file, String rule, Throwable cause) {
        super(file + ": " + rule, cause);
    }
}
