package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import java.nio.file.Path;

/**
 * An evaluation's output folder holds files it did not write: another evaluation or other files.
 * Replacing them needs the caller's explicit consent.
 */
public final class OutputFolderInUseException extends InputException {
    private final Path folder;

    OutputFolderInUseException(Path folder, String reason) {
        super("output folder " + folder + " " + reason);
        this.folder = folder;
    }

    /** The folder in use. */
    public Path folder() {
        return folder;
    }
}
