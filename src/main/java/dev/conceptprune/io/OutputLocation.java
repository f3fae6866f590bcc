package dev.conceptprune.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Checks where an output will go, before any work: it must keep clear of every input (not be one,
 * not lie inside one, not contain one), and the folder it is written into must exist or be
 * creatable and be writable. Paths are compared as the file system resolves them: symbolic links
 * of the part that exists are followed, so an output reached through a link into an input is
 * refused too. Nothing is created.
 *
 * <pre>{@code OutputLocation.of(out).clearOf("model", model).clearOf("mask", masks).folder();}</pre>
 */
public final class OutputLocation {
    private record Input(String name, Path path) {
    }

    private final Path out;
    private final List<Input> inputs = new ArrayList<>();

    private OutputLocation(Path out) {
        this.out = out;
    }

    /** The output {@code out}, to check against the inputs named next. */
    public static OutputLocation of(Path out) {
        return new OutputLocation(out);
    }

    /** Adds an input the output must keep clear of, named for messages ("model", "mask"); null is skipped. */
    public OutputLocation clearOf(String name, Path input) {
        if (input != null) {
            inputs.add(new Input(name, input));
        }
        return this;
    }

    /** Adds several inputs of one kind. */
    public OutputLocation clearOf(String name, Collection<Path> paths) {
        paths.forEach(p -> clearOf(name, p));
        return this;
    }

    /**
     * Checks {@code out} as an output folder: clear of the inputs, not an existing file, and an
     * existing writable folder or creatable in one.
     *
     * @return the output path as given
     */
    public Path folder() {
        checkInputs();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new InputException(out + " is a file; name a folder for the output");
        }
        checkWritable(out);
        return out;
    }

    /**
     * Checks {@code out} as an output file of the one format written there: named with
     * {@code extension} (such as {@code .png}), clear of the inputs, not an existing folder, and
     * in an existing writable folder or a creatable one.
     *
     * @param format the format's name for messages ("PNG")
     * @return the output path as given
     */
    public Path file(String extension, String format) {
        Path name = out.getFileName();
        if (name == null || !name.toString().toLowerCase(Locale.ROOT).endsWith(extension)) {
            throw new InputException(out + ": the output is written as " + format + " only; name the file *"
                    + extension);
        }
        checkInputs();
        if (Files.isDirectory(out)) {
            throw new InputException(out + " is a folder; name a " + extension + " file for the output");
        }
        checkWritable(out.toAbsolutePath().getParent());
        return out;
    }

    private void checkInputs() {
        Path target = resolved(out);
        for (Input in : inputs) {
            Path input = resolved(in.path());
            String what = "the input " + in.name() + (Files.isDirectory(input) ? " folder " : " file ") + in.path();
            if (target.equals(input)) {
                throw new InputException(out + " is " + what + "; choose an output outside it");
            }
            if (target.startsWith(input)) {
                throw new InputException(out + " is inside " + what + "; choose an output outside it");
            }
            if (input.startsWith(target)) {
                throw new InputException(out + " contains " + what + "; choose an output that does not hold it");
            }
        }
    }

    /** The nearest part of {@code dir} that exists must be a writable folder (the rest is created in it). */
    private void checkWritable(Path dir) {
        Path existing = existingAncestor(dir.toAbsolutePath());
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw new InputException(out + " cannot be created: " + existing + " is a file, not a folder");
        }
        if (!Files.isWritable(existing)) {
            throw new InputException(out + " cannot be written: the folder " + existing + " is not writable");
        }
    }

    /** {@code p} as the file system resolves it: the real path of its existing part, then the rest. */
    static Path resolved(Path p) {
        Path abs = p.toAbsolutePath();
        Path existing = existingAncestor(abs);
        if (existing == null) {
            return abs.normalize();
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs.normalize();
        }
    }

    private static Path existingAncestor(Path abs) {
        Path p = abs;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p;
    }
}
