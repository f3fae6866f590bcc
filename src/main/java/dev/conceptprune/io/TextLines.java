package dev.conceptprune.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The physical lines of a UTF-8 file, decoded one by one so that malformed bytes are replaced by
 * U+FFFD and the lines holding them can be named. A byte-order mark at the start is dropped;
 * line ends may be LF or CRLF.
 *
 * @param lines     the lines without their line ends; index 0 is line 1
 * @param malformed the 1-based numbers of the lines that held malformed UTF-8
 */
public record TextLines(List<String> lines, List<Integer> malformed) {
    private static final char BOM = '\uFEFF';

    public static TextLines decode(byte[] bytes) {
        List<String> lines = new ArrayList<>();
        List<Integer> malformed = new ArrayList<>();
        int start = 0;
        // A newline byte never occurs inside a multi-byte UTF-8 sequence, so splitting first is safe.
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            String line;
            try {
                line = strict().decode(ByteBuffer.wrap(bytes, start, stop - start)).toString();
            } catch (CharacterCodingException e) {
                line = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, start, stop - start)).toString();
                malformed.add(lines.size() + 1);
            }
            lines.add(line);
            start = end + 1;
        }
        if (!lines.isEmpty() && !lines.get(0).isEmpty() && lines.get(0).charAt(0) == BOM) {
            lines.set(0, lines.get(0).substring(1));
        }
        return new TextLines(lines, malformed);
    }

    private static CharsetDecoder strict() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
