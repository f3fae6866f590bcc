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

    private final Path file;
    private final List<String> columns;
    private final List<Row> rows;

    private PromptFile(Path file, List<String> columns, List<Row> rows) {
        this.file = file;
        this.columns = List.copyOf(columns);
        this.rows = List.copyOf(rows);
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
        PromptFile prompts = csv ? csv(file, lines) : text(file, lines);
        if (prompts.rows.isEmpty()) {
            throw new InputException(file + (csv ? ": has a header but no prompt rows"
                    : ": holds no prompts, only blank lines and # comments"));
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

    private static PromptFile text(Path file, List<String> lines) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String prompt = lines.get(i).strip();
            if (!prompt.isEmpty() && !prompt.startsWith("#")) {
                rows.add(new Row(i + 1, prompt, Map.of()));
            }
        }
        return new PromptFile(file, List.of(), rows);
    }

    private static PromptFile csv(Path file, List<String> lines) {
        CsvRecords records = new CsvRecords(lines);
        if (!records.hasNext()) {
            throw new InputException(file + ": holds only blank lines");
        }
        CsvRecords.Row header = records.next();
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
            String where = file + ": line " + r.line() + ": ";
            if (!r.closed()) {
                throw new InputException(where + "quoted field is not closed before the end of the file");
            }
            List<String> f = r.fields();
            if (f.size() != names.size()) {
                throw new InputException(where + "expected " + names.size() + " fields as in the header, found "
                        + f.size());
            }
            if (f.get(prompt).isBlank()) {
                throw new InputException(where + "empty prompt");
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                if (i != prompt) {
                    values.put(names.get(i), f.get(i));
                }
            }
            rows.add(new Row(r.line(), f.get(prompt), values));
        }
        return new PromptFile(file, others, rows);
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
