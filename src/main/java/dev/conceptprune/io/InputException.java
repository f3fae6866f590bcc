package dev.conceptprune.io;

/**
 * Bad input from the user: an argument, a prompt file, a config or a weight file that cannot be
 * used. The message is one line fit to show as it is; the command line maps this class (and only
 * this class and its subclasses) to exit code 2.
 */
public class InputException extends RuntimeException {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
