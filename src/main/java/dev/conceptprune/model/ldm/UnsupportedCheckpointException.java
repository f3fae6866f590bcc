package dev.conceptprune.model.ldm;

import dev.conceptprune.io.InputException;

/**
 * A single file whose kind was recognised (or not) but cannot be used: the message says what the
 * file was recognised as and what would make it work.
 */
public class UnsupportedCheckpointException extends InputException {
    public UnsupportedCheckpointException(String message) {
        super(message);
    }
}
