package dev.conceptprune.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

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
        return split(bytes, (line, why) -> {
            throw new InputException(source + ": is not UTF-8 text (" + why + ")");
        });
    }

    /**
     * The lines of a file that may hold a few unreadable lines (the literature's prompt sets): a line
     * with bytes that are not UTF-8 (decoded with U+FFFD in their place), or a NUL byte, is kept and
     * listed in {@code unreadable}, by 1-based line, with the first bad byte, for the caller to skip.
     */
    public record Lenient(TextLines text, SortedMap<Integer, String> unreadable) {
        public Lenient {
            unreadable = Collections.unmodifiableSortedMap(new TreeMap<>(unreadable));
        }
    }

    /** Decodes {@code bytes}, never failing: see {@link Lenient}. */
    public static Lenient decodeLenient(byte[] bytes) {
        SortedMap<Integer, String> unreadable = new TreeMap<>();
        TextLines text = split(bytes, unreadable::put);
        return new Lenient(text, unreadable);
    }

    /** Receives an undecodable line; {@code why} names the byte, the line and the byte offset. */
    private interface BadLine {
        void report(int line, String why);
    }

    private static TextLines split(byte[] bytes, BadLine bad) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        // A newline byte never occurs inside a multi-byte UTF-8 sequence, so splitting first is safe.
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            lines.add(decodeLine(bytes, start, stop, lines.size() + 1, bad));
            start = end + 1;
        }
        if (!lines.isEmpty() && !lines.get(0).isEmpty() && lines.get(0).charAt(0) == BOM) {
            lines.set(0, lines.get(0).substring(1));
        }
        return new TextLines(List.copyOf(lines));
    }

    private static String decodeLine(byte[] bytes, int start, int stop, int line, BadLine bad) {
        for (int i = start; i < stop; i++) {
            if (bytes[i] == 0) {
                bad.report(line, "NUL byte at line " + line + ", byte offset " + i);
                return replacing(bytes, start, stop);
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, stop - start);
        CharBuffer out = CharBuffer.allocate(stop - start);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int offset = in.position();
            bad.report(line, String.format(Locale.ROOT, "byte 0x%02X at line %d, byte offset %d",
                    bytes[offset] & 0xFF, line, offset));
            return replacing(bytes, start, stop);
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static String replacing(byte[] bytes, int start, int stop) {
        return new String(bytes, start, stop - start, StandardCharsets.UTF_8);
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
