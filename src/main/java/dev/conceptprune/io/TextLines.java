package dev.conceptprune.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The physical lines of a UTF-8 text file. A byte-order mark at the start is dropped; line ends
 * may be LF or CRLF. Bytes that are not UTF-8 text, and NUL bytes (which no text file holds), are
 * an {@link InputException} naming the file, the line and the byte offset, because a prompt
 * silently repaired with U+FFFD is not the prompt the user wrote.
 *
 * @param lines the lines without their line ends; index 0 is line 1
 */
public record TextLines(List<String> lines) {
    private static final char BOM = '\uFEFF';

    /** Decodes {@code bytes} read from {@code source} (named in errors). */
    public static TextLines decode(Path source, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new InputException(source + ": is a binary file, not text (NUL byte at line "
                        + lineAt(bytes, i) + ", byte offset " + i + ")");
            }
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        // A newline byte never occurs inside a multi-byte UTF-8 sequence, so splitting first is safe.
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            lines.add(decodeLine(source, bytes, start, stop, lines.size() + 1));
            start = end + 1;
        }
        if (!lines.isEmpty() && !lines.get(0).isEmpty() && lines.get(0).charAt(0) == BOM) {
            lines.set(0, lines.get(0).substring(1));
        }
        return new TextLines(List.copyOf(lines));
    }

    private static String decodeLine(Path source, byte[] bytes, int start, int stop, int line) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, stop - start);
        CharBuffer out = CharBuffer.allocate(stop - start);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int offset = in.position();
            throw new InputException(String.format(Locale.ROOT,
                    "%s: is not UTF-8 text (byte 0x%02X at line %d, byte offset %d)", source,
                    bytes[offset] & 0xFF, line, offset));
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }
}
