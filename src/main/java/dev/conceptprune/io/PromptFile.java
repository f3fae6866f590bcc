package dev.conceptprune.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A prompt file, the one reader of prompts for every command: a UTF-8 text file with one prompt per
 * line, or a CSV file with a {@code prompt} column (any other columns are kept by name).
 *
 * <p>The rules, the same wherever prompts are read:
 * <ul>
 * <li>A file is CSV when its name ends in {@code .csv}, or (unless it ends in {@code .txt}) when its
 *     first line names a {@code prompt} column or looks like a header (two or more comma-separated
 *     identifiers). A CSV file without a {@code prompt} column is an error naming the columns found.</li>
 * <li>In a text file each line is one prompt, stripped of surrounding spaces; blank lines and lines
 *     starting with {@code #} are skipped. In a CSV file blank lines between records are skipped and
 *     every record is data, as Python's csv module reads it.</li>
 * <li>Errors, each naming the file (and the line where there is one): a missing or unreadable file, an
 *     empty file, bytes that are not UTF-8 text (with their line and byte offset), a file without a
 *     single prompt, a repeated CSV column, a quoted field left open, a record with the wrong number of
 *     fields and an empty prompt cell.</li>
 * </ul>
 *
 * <p>{@link #readLenient} reads the literature's prompt sets that ship with the program, whose
 * layout is known ({@link Layout}) and some of whose rows are damaged: a record with bytes that are
 * not UTF-8, a quote left open, the wrong number of fields or an empty prompt is skipped and listed
 * in {@link #problems()} with its line, instead of failing the file. A user's file is read by
 * {@link #read} with the errors above.
 */
public final class PromptFile {
    /** The prompt column of a CSV file, matched ignoring case and surrounding spaces. */
    public static final String PROMPT_COLUMN = "prompt";

    private static final Pattern HEADER_FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

    /**
     * One prompt and where it came from.
     *
     * @param line    the 1-based line of the file where the prompt starts
     * @param columns every CSV column but the prompt, by header name in file order; empty for text files
     */
    public record Row(int line, String prompt, Map<String, String> columns) {
        public Row {
            columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        }
    }

    /** How a shipped prompt set is laid out, since its name does not always tell. */
    public enum Layout {
        /** One prompt per line; blank lines and {@code #} comments skipped. */
        TEXT,
        /** CSV with a header naming a {@code prompt} column. */
        CSV,
        /** CSV of one column without a header (quoted where a prompt holds a comma or quote): every record is a prompt. */
        HEADERLESS_CSV
    }

    /**
     * A record a lenient read skipped.
     *
     * @param line   the 1-based line where the record starts
     * @param reason why it was skipped
     */
    public record Problem(int line, String reason) {
        /** "line N: reason; row skipped", as reports print it. */
        public String describe() {
            return "line " + line + ": " + reason + "; row skipped";
        }
    }

    private final Path file;
    private final List<String> columns;
    private final List<Row> rows;
    private final List<Problem> problems;

    private PromptFile(Path file, List<String> columns, List<Row> rows, List<Problem> problems) {
        this.file = file;
        this.columns = List.copyOf(columns);
        this.rows = List.copyOf(rows);
        this.problems = List.copyOf(problems);
    }

    /** Reads a prompt file; every problem is an {@link InputException} naming the file. */
    public static PromptFile read(Path file) {
        byte[] bytes = bytes(file);
        if (bytes.length == 0) {
            throw new InputException(file + ": is empty; expected one prompt per line or a CSV file with a '"
                    + PROMPT_COLUMN + "' column");
        }
        List<String> lines = TextLines.decode(file, bytes).lines();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean csv = name.endsWith(".csv") || !name.endsWith(".txt") && looksLikeCsv(lines);
        Skips strict = new Skips(file, null, Map.of());
        PromptFile prompts = csv ? csv(file, lines, strict) : text(file, lines, strict);
        if (prompts.rows.isEmpty()) {
            throw new InputException(file + (csv ? ": has a header but no prompt rows"
                    : ": holds no prompts, only blank lines and # comments"));
        }
        return prompts;
    }

    /**
     * Reads a prompt set of a known layout, skipping damaged records into {@link #problems()}.
     *
     * @param source the set's name for messages and {@link #file()} (a resource's name for a bundled set)
     * @throws InputException naming {@code source} when the set is empty, or its CSV header is unreadable
     *                        or lacks a {@code prompt} column: damage no skipping can get past
     */
    public static PromptFile readLenient(Path source, byte[] bytes, Layout layout) {
        TextLines.Lenient decoded = TextLines.decodeLenient(bytes);
        List<String> lines = decoded.text().lines();
        Skips lenient = new Skips(source, new ArrayList<>(), decoded.unreadable());
        PromptFile prompts = switch (layout) {
            case TEXT -> text(source, lines, lenient);
            case CSV -> csv(source, lines, lenient);
            case HEADERLESS_CSV -> headerless(source, lines, lenient);
        };
        if (prompts.rows.isEmpty()) {
            throw new InputException(source + ": holds no readable prompts (" + prompts.problems.size()
                    + " rows skipped)");
        }
        return prompts;
    }

    /** The file the prompts came from. */
    public Path file() {
        return file;
    }

    /** The CSV header without the prompt column, in file order; empty for a text file. */
    public List<String> columns() {
        return columns;
    }

    /** The prompts with their lines and other columns, in file order; never empty. */
    public List<Row> rows() {
        return rows;
    }

    /** The records a lenient read skipped, in file order; always empty after {@link #read}. */
    public List<Problem> problems() {
        return problems;
    }

    /** The prompts alone, in file order. */
    public List<String> prompts() {
        return rows.stream().map(Row::prompt).toList();
    }

    private static byte[] bytes(Path file) {
        if (Files.isDirectory(file)) {
            throw new InputException(file + ": is a folder, not a prompt file");
        }
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": file not found");
        } catch (AccessDeniedException e) {
            throw new InputException(file + ": cannot read prompts: permission denied");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read prompts: " + e.getMessage());
        }
    }

    private static boolean looksLikeCsv(List<String> lines) {
        CsvRecords records = new CsvRecords(lines);
        if (!records.hasNext()) {
            return false;
        }
        CsvRecords.Row first = records.next();
        if (first.fields().get(0).strip().startsWith("#")) {
            return false;
        }
        if (column(first.fields(), PROMPT_COLUMN) >= 0) {
            return true;
        }
        return first.fields().size() >= 2
                && first.fields().stream().allMatch(f -> HEADER_FIELD.matcher(f.strip()).matches());
    }

    private static PromptFile text(Path file, List<String> lines, Skips skips) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String prompt = lines.get(i).strip();
            if (!prompt.isEmpty() && !prompt.startsWith("#") && skips.readable(i + 1, i + 1)) {
                rows.add(new Row(i + 1, prompt, Map.of()));
            }
        }
        return new PromptFile(file, List.of(), rows, skips.problems());
    }

    private static PromptFile headerless(Path file, List<String> lines, Skips skips) {
        CsvRecords records = new CsvRecords(lines);
        List<Row> rows = new ArrayList<>();
        while (records.hasNext()) {
            CsvRecords.Row r = records.next();
            if (!skips.complete(r, records) || !skips.readable(r.line(), r.lastLine())) {
                continue;
            }
            if (r.fields().size() != 1) {
                skips.skip(r.line(), "expected 1 field in a one-column file, found " + r.fields().size()
                        + runsTo(r));
            } else if (r.fields().get(0).isBlank()) {
                skips.skip(r.line(), "empty prompt");
            } else {
                rows.add(new Row(r.line(), r.fields().get(0), Map.of()));
            }
        }
        return new PromptFile(file, List.of(), rows, skips.problems());
    }

    private static PromptFile csv(Path file, List<String> lines, Skips skips) {
        CsvRecords records = new CsvRecords(lines);
        if (!records.hasNext()) {
            throw new InputException(file + ": holds only blank lines");
        }
        CsvRecords.Row header = records.next();
        String unreadable = skips.unreadable(header.line(), header.lastLine());
        if (unreadable != null) {
            throw new InputException(file + ": the header is not UTF-8 text (" + unreadable + ")");
        }
        if (!header.closed()) {
            throw new InputException(file + ": line " + header.line() + ": the header's quoted field is not closed");
        }
        List<String> names = new ArrayList<>();
        for (String raw : header.fields()) {
            String name = raw.strip();
            if (column(names, name) >= 0) {
                throw new InputException(file + ": column '" + name + "' appears twice in the header");
            }
            names.add(name);
        }
        int prompt = column(names, PROMPT_COLUMN);
        if (prompt < 0) {
            throw new InputException(file + ": is a CSV file without a '" + PROMPT_COLUMN + "' column (columns: "
                    + String.join(", ", names) + ")");
        }
        List<String> others = new ArrayList<>(names);
        others.remove(prompt);
        List<Row> rows = new ArrayList<>();
        while (records.hasNext()) {
            CsvRecords.Row r = records.next();
            if (!skips.complete(r, records) || !skips.readable(r.line(), r.lastLine())) {
                continue;
            }
            List<String> f = r.fields();
            if (f.size() != names.size()) {
                skips.skip(r.line(), "expected " + names.size() + " fields as in the header, found " + f.size()
                        + (skips.strict() ? "" : runsTo(r)));
                continue;
            }
            if (f.get(prompt).isBlank()) {
                skips.skip(r.line(), "empty prompt");
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                if (i != prompt) {
                    values.put(names.get(i), f.get(i));
                }
            }
            rows.add(new Row(r.line(), f.get(prompt), values));
        }
        return new PromptFile(file, others, rows, skips.problems());
    }

    /** Where a record spanning several lines ends, so that a skip shows what it swallowed. */
    private static String runsTo(CsvRecords.Row r) {
        return r.lastLine() > r.line() ? " (the record runs to line " + r.lastLine() + ")" : "";
    }

    /**
     * What to do with a damaged record: throw (a user's file, {@code skipped} null) or skip it and
     * note why (a shipped set, with the lines its decoding could not read).
     */
    private record Skips(Path file, List<Problem> skipped, Map<Integer, String> unreadableLines) {
        boolean strict() {
            return skipped == null;
        }

        void skip(int line, String reason) {
            if (strict()) {
                throw new InputException(file + ": line " + line + ": " + reason);
            }
            skipped.add(new Problem(line, reason));
        }

        /** The first unreadable line's description among lines {@code first..last}, or null. */
        String unreadable(int first, int last) {
            for (int line = first; line <= last; line++) {
                String why = unreadableLines.get(line);
                if (why != null) {
                    return why;
                }
            }
            return null;
        }

        /** False (and the record skipped) when one of its lines is not UTF-8 text. */
        boolean readable(int first, int last) {
            String why = unreadable(first, last);
            if (why != null) {
                skip(first, "not UTF-8 text (" + why + ")");
            }
            return why == null;
        }

        /**
         * False (and the record skipped) when a quoted field ran to the end of the file; a lenient
         * read then takes the line after the quote as the next record's start.
         */
        boolean complete(CsvRecords.Row r, CsvRecords records) {
            if (r.closed()) {
                return true;
            }
            if (strict()) {
                skip(r.line(), "quoted field is not closed before the end of the file");
            } else {
                skip(r.line(), "a quoted field is not closed before the end of the file (reading resumes at line "
                        + (r.line() + 1) + ")");
                records.resumeAt(r.line() + 1);
            }
            return false;
        }

        List<Problem> problems() {
            return strict() ? List.of() : skipped;
        }
    }

    /** Index of a column, matched case-insensitively as spreadsheets vary the case; -1 when absent. */
    private static int column(List<String> names, String wanted) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).strip().equalsIgnoreCase(wanted)) {
                return i;
            }
        }
        return -1;
    }
}
