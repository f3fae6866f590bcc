package dev.conceptprune.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits decoded lines into CSV records per RFC 4180: comma-separated fields, double-quoted fields
 * that may hold commas, line breaks and doubled quotes. Lenient where Python's csv module is
 * (text after a closing quote, a quote inside an unquoted field are kept as they are), so files
 * written by pandas or by hand read as Python reads them. Blank lines between records are skipped.
 */
public final class CsvRecords {
    /**
     * A record, the 1-based lines where it starts and ends; {@code closed} is false when a quoted
     * field ran to the end of the file, which the record then holds.
     */
    public record Row(int line, int lastLine, List<String> fields, boolean closed) {
    }

    private final List<String> lines;
    private int next;

    public CsvRecords(List<String> lines) {
        this.lines = lines;
    }

    /** True while records may remain. */
    public boolean hasNext() {
        while (next < lines.size() && lines.get(next).isBlank()) {
            next++;
        }
        return next < lines.size();
    }

    /**
     * Continues with the record that starts at 1-based {@code line}: how a lenient reader gets past
     * a quote left open, which would otherwise take the rest of the file.
     */
    public void resumeAt(int line) {
        next = line - 1;
    }

    /** The next record; call after {@link #hasNext()} returned true. */
    public Row next() {
        int first = next;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStart = true;
        while (true) {
            String line = lines.get(next++);
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c != '"') {
                        field.append(c);
                    } else if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    fieldStart = true;
                } else if (c == '"' && fieldStart) {
                    quoted = true;
                    fieldStart = false;
                } else {
                    field.append(c);
                    fieldStart = false;
                }
            }
            if (!quoted || next == lines.size()) {
                fields.add(field.toString());
                return new Row(first + 1, next, fields, !quoted);
            }
            field.append('\n');
        }
    }
}
