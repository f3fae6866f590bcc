package dev.conceptprune.eval;

import dev.conceptprune.io.PromptFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import dev.conceptprune.io.InputException;
import java.util.TreeSet;
import java.util.Set;
import java.util.Locale;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The prompts of an evaluation run, read by {@link PromptFile} (plain text, or CSV with a
 * {@code prompt} column; its rules and errors). Of a CSV file's other columns,
 * {@code evaluation_seed}, {@code evaluation_guidance} and {@code case_number} are the row's
 * settings and every other column is kept as a label.
 *
 * <p>A row whose settings cannot be used (a seed that is not an integer, say) is skipped and
 * described, with its line, in {@link #problems()}. The literature's sets that ship with the program
 * are read by {@link #readResource}, which also skips (and lists there) records damaged beyond
 * reading, as {@link PromptFile#readLenient} does.
 */
public final class PromptSet {
    private static final String SEED = "evaluation_seed";
    private static final String GUIDANCE = "evaluation_guidance";
    private static final String CASE = "case_number";

    private final Path file;
    private final String source;
    private final List<String> labelColumns;
    private final List<PromptRow> rows;
    private final List<String> problems;

    private PromptSet(Path file, String source, List<String> labelColumns, List<PromptRow> rows,
                      List<String> problems) {
        this.file = file;
        this.source = source;
        this.labelColumns = Collections.unmodifiableList(labelColumns);
        this.rows = Collections.unmodifiableList(rows);
        this.problems = Collections.unmodifiableList(problems);
    }

    /**
     * Reads a prompt file.
     *
     * @throws dev.conceptprune.io.InputException naming the file when it is not a usable prompt file
     */
    public static PromptSet read(Path file) {
        return of(PromptFile.read(file), file.toAbsolutePath().normalize().toString());
    }

    /**
     * Reads a prompt set bundled as a classpath resource (such as {@code benchmarks/i2p_4703.csv}), whose
     * {@link #file()} is then the resource's name as a relative path; no such file need exist.
     *
     * @throws IllegalArgumentException when there is no such resource
     * @throws dev.conceptprune.io.InputException when the set has no readable prompt or its CSV header is unusable
     */
    public static PromptSet readResource(String resourceName, PromptFile.Layout layout) {
        byte[] bytes;
        try (InputStream in = PromptSet.class.getClassLoader().getResourceAsStream(resourceName)) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled prompt set " + resourceName);
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled prompt set " + resourceName, e);
        }
        return of(PromptFile.readLenient(Path.of(resourceName), bytes, layout), "bundled:" + resourceName);
    }

    private static PromptSet of(PromptFile prompts, String source) {
        Path file = prompts.file();
        List<String> names = prompts.columns();
        String seed = column(names, SEED);
        String guidance = column(names, GUIDANCE);
        String caseNumber = column(names, CASE);
        List<String> labels = new ArrayList<>();
        for (String name : names) {
            if (!name.equals(seed) && !name.equals(guidance) && !name.equals(caseNumber)) {
                labels.add(name);
            }
        }
        List<PromptRow> rows = new ArrayList<>();
        List<PromptFile.Problem> skipped = new ArrayList<>(prompts.problems());
        for (PromptFile.Row r : prompts.rows()) {
            Map<String, String> cells = r.columns();
            try {
                Map<String, String> values = new LinkedHashMap<>();
                for (String label : labels) {
                    values.put(label, cells.get(label));
                }
                rows.add(new PromptRow(r.line(), r.prompt(), seed == null ? null : seed(cells.get(seed)),
                        guidance == null ? null : guidance(cells.get(guidance)),
                        caseNumber == null ? null : caseNumber(cells.get(caseNumber)), values));
            } catch (IllegalArgumentException e) {
                skipped.add(new PromptFile.Problem(r.line(), e.getMessage()));
            }
        }
        skipped.sort(Comparator.comparingInt(PromptFile.Problem::line));
        return new PromptSet(file, source, labels, rows, skipped.stream().map(PromptFile.Problem::describe).toList());
    }

    /**
     * The rows whose {@code column} names one of {@code classes} (compared ignoring case and
     * surrounding spaces; every row when {@code classes} is empty), at most {@code limit} of them in
     * file order (0: no limit). The problems stay those of the whole set.
     */
    public PromptSet subset(int limit, String column, List<String> classes) {
        if (!classes.isEmpty() && (column == null || !labelColumns.contains(column))) {
            throw new InputException(file + " has no class column to choose rows by");
        }
        List<PromptRow> kept = new ArrayList<>();
        Set<String> wanted = new LinkedHashSet<>();
        classes.forEach(c -> wanted.add(c.strip().toLowerCase(Locale.ROOT)));
        Set<String> found = new LinkedHashSet<>();
        for (PromptRow r : rows) {
            String value = column == null ? null : r.labels().get(column);
            String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
            if (wanted.isEmpty() || wanted.contains(v)) {
                found.add(v);
                if (limit == 0 || kept.size() < limit) {
                    kept.add(r);
                }
            }
        }
        Set<String> missing = new LinkedHashSet<>(wanted);
        missing.removeAll(found);
        if (!missing.isEmpty()) {
            Set<String> have = new TreeSet<>();
            rows.forEach(r -> have.add(r.labels().get(column).strip()));
            throw new InputException(file + ": no row of class " + missing + " in column " + column + "; it has " + have);
        }
        String how = (limit > 0 ? " limit " + limit : "") + (classes.isEmpty() ? "" : " classes " + wanted);
        return new PromptSet(file, how.isEmpty() ? source : source + " [" + how.strip() + "]", labelColumns, kept,
                problems);
    }

    /**
     * What identifies the set for a resumed run: a file's absolute path, a bundled set's resource
     * name, with the subset taken, so that neither the working directory nor a rename of the
     * output folder matters.
     */
    public String source() {
        return source;
    }

    /** The file the prompts came from (for a bundled set, its resource name). */
    public Path file() {
        return file;
    }

    /** The usable rows, in file order. */
    public List<PromptRow> rows() {
        return rows;
    }

    /** One line per skipped row, each starting with "line N:". */
    public List<String> problems() {
        return problems;
    }

    /** The CSV columns kept as labels, in header order; empty for plain text. */
    public List<String> labelColumns() {
        return labelColumns;
    }

    /** The header name of a column, matched case-insensitively as spreadsheets vary the case; null when absent. */
    private static String column(List<String> names, String wanted) {
        for (String name : names) {
            if (name.equalsIgnoreCase(wanted)) {
                return name;
            }
        }
        return null;
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
