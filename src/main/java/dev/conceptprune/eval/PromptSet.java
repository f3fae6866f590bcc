package dev.conceptprune.eval;

import dev.conceptprune.io.CsvRecords;
import dev.conceptprune.io.TextLines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The prompts of an evaluation run, read from either a CSV file with a {@code prompt} column
 * (optional {@code evaluation_seed}, {@code evaluation_guidance}, {@code case_number}; any other
 * column is kept as a label) or a plain text file with one prompt per line. A file is plain
 * text when its name ends in {@code .txt} or its first line names no {@code prompt} column.
 *
 * <p>Reading never fails on a row: rows that cannot be used are skipped and described, with their
 * line, in {@link #problems()}, which also names lines whose malformed UTF-8 was replaced.
 */
public final class PromptSet {
    private static final String PROMPT = "prompt";
    private static final String SEED = "evaluation_seed";
    private static final String GUIDANCE = "evaluation_guidance";
    private static final String CASE = "case_number";

    private final Path file;
    private final List<String> labelColumns;
    private final List<PromptRow> rows;
    private final List<String> problems;

    private PromptSet(Path file, List<String> labelColumns, List<PromptRow> rows, List<String> problems) {
        this.file = file;
        this.labelColumns = Collections.unmodifiableList(labelColumns);
        this.rows = Collections.unmodifiableList(rows);
        this.problems = Collections.unmodifiableList(problems);
    }

    /**
     * Reads a prompt file.
     *
     * @throws UncheckedIOException naming the file when it cannot be read
     * @throws IllegalArgumentException naming the file when its CSV header repeats a column
     */
    public static PromptSet read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read prompts: " + e.getMessage(), e);
        }
        TextLines text = TextLines.decode(bytes);
        List<String> problems = new ArrayList<>();
        for (int line : text.malformed()) {
            problems.add("line " + line + ": invalid UTF-8 bytes replaced by U+FFFD");
        }
        CsvRecords records = new CsvRecords(text.lines());
        boolean plain = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".txt")
                || !records.hasNext();
        CsvRecords.Row header = plain ? null : records.next();
        if (header == null || !header.closed() || column(header.fields(), PROMPT) < 0) {
            return plainText(file, text, problems);
        }
        return csv(file, header, records, problems);
    }

    /** The file the prompts came from. */
    public Path file() {
        return file;
    }

    /** The usable rows, in file order. */
    public List<PromptRow> rows() {
        return rows;
    }

    /** One line per skipped row or replaced bytes, each starting with "line N:". */
    public List<String> problems() {
        return problems;
    }

    /** The CSV columns kept as labels, in header order; empty for plain text. */
    public List<String> labelColumns() {
        return labelColumns;
    }

    private static PromptSet plainText(Path file, TextLines text, List<String> problems) {
        List<PromptRow> rows = new ArrayList<>();
        List<String> lines = text.lines();
        for (int i = 0; i < lines.size(); i++) {
            String prompt = lines.get(i).strip();
            // Blank lines only separate prompts here.
            if (!prompt.isEmpty()) {
                rows.add(new PromptRow(i + 1, prompt, null, null, null, Map.of()));
            }
        }
        return new PromptSet(file, new ArrayList<>(), rows, problems);
    }

    private static PromptSet csv(Path file, CsvRecords.Row header, CsvRecords records, List<String> problems) {
        List<String> names = new ArrayList<>();
        for (String raw : header.fields()) {
            String name = raw.strip();
            if (column(names, name) >= 0) {
                throw new IllegalArgumentException(file + ": column '" + name + "' appears twice in the header");
            }
            names.add(name);
        }
        int prompt = column(names, PROMPT);
        int seed = column(names, SEED);
        int guidance = column(names, GUIDANCE);
        int caseNumber = column(names, CASE);
        List<String> labels = new ArrayList<>();
        List<Integer> labelIndexes = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (i != prompt && i != seed && i != guidance && i != caseNumber) {
                labels.add(names.get(i));
                labelIndexes.add(i);
            }
        }
        List<PromptRow> rows = new ArrayList<>();
        while (records.hasNext()) {
            CsvRecords.Row r = records.next();
            String where = "line " + r.line() + ": ";
            if (!r.closed()) {
                problems.add(where + "quoted field is not closed before the end of the file; rest of the file skipped");
                break;
            }
            List<String> f = r.fields();
            if (f.size() != names.size()) {
                problems.add(where + "expected " + names.size() + " fields, found " + f.size() + "; row skipped");
                continue;
            }
            if (f.get(prompt).isBlank()) {
                problems.add(where + "empty prompt; row skipped");
                continue;
            }
            try {
                Map<String, String> values = new LinkedHashMap<>();
                for (int i : labelIndexes) {
                    values.put(names.get(i), f.get(i));
                }
                rows.add(new PromptRow(r.line(), f.get(prompt), seed < 0 ? null : seed(f.get(seed)),
                        guidance < 0 ? null : guidance(f.get(guidance)),
                        caseNumber < 0 ? null : caseNumber(f.get(caseNumber)), values));
            } catch (IllegalArgumentException e) {
                problems.add(where + e.getMessage() + "; row skipped");
            }
        }
        return new PromptSet(file, labels, rows, problems);
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

    /**
     * An integral number, or null for an empty cell; "42.0" counts as 42 because pandas writes an
     * integer column holding a missing value as floats.
     */
    private static Long seed(String cell) {
        BigDecimal v = number(cell, SEED);
        if (v == null) {
            return null;
        }
        try {
            return v.stripTrailingZeros().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(SEED + " '" + cell.strip() + "' is not a 64-bit integer");
        }
    }

    private static Integer caseNumber(String cell) {
        BigDecimal v = number(cell, CASE);
        if (v == null) {
            return null;
        }
        try {
            return v.stripTrailingZeros().intValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(CASE + " '" + cell.strip() + "' is not a 32-bit integer");
        }
    }

    private static Double guidance(String cell) {
        BigDecimal v = number(cell, GUIDANCE);
        if (v == null) {
            return null;
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(GUIDANCE + " '" + cell.strip() + "' is out of range");
        }
        return d;
    }

    /** A decimal number (no NaN, no infinities), or null for an empty cell. */
    private static BigDecimal number(String cell, String column) {
        String s = cell.strip();
        if (s.isEmpty()) {
            return null;
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + " '" + s + "' is not a number");
        }
    }
}
