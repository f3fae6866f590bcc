package dev.conceptprune.io;

import java.io.IOException;

/**
 * An output that cannot be written where the user asked for it (a folder that cannot be created,
 * a full disk, no permission). It is bad input like any other: the user chose the location, and
 * the command line maps it to exit code 2 with its one-line message.
 */
public class OutputException extends InputException {
    public OutputException(String message) {
        super(message);
    }

    public OutputException(String message, IOException cause) {
        super(message, cause);
    }
}
