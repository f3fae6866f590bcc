package dev.conceptprune.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Read-only channels on weight files; a file that cannot be opened or read is a {@link WeightFormatException}. */
public final class WeightChannel {
    private WeightChannel() {
    }

    /** Reads what a freshly opened channel holds; the reader keeps the channel open on success. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(FileChannel channel) throws IOException;
    }

    /** Opens {@code path} and hands the channel to {@code reader}; the channel is closed when reading fails. */
    public static <T> T open(Path path, Reader<T> reader) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new WeightFormatException(path, "file not found");
        } catch (IOException e) {
            throw new WeightFormatException(path, "cannot open: " + e.getMessage());
        }
        try {
            return reader.read(ch);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new WeightFormatException(path, "read error: " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** Closes a read-only channel; a failure to close it changes nothing the caller could act on. */
    public static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing useful can be done when closing a read-only channel fails
        }
    }
}
