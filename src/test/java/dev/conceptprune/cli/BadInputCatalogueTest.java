package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue of bad inputs: every row of {@code src/test/resources/bad-inputs/*.tsv} must end in one
 * {@code error:} line naming the problem, exit code 2, before any work (no progress line), with nothing
 * written and every input untouched.
 *
 * <p>A row is {@code expected fragment<TAB>arguments}; arguments split on spaces, double quotes group.
 * Placeholders: {@code {MODEL}} a private copy of the tiny model, {@code {TOY}} the toy-world model,
 * {@code {CLIP}} the tiny CLIP, {@code {SINGLE}} the tiny single-file checkpoint, {@code {FILES}} a copy of
 * {@code bad-inputs/files/} (prepared bad files), {@code {OUT}} an output path that must not exist
 * afterwards, {@code {TMP}} the scratch folder (its listing must not change).
 */
class BadInputCatalogueTest {
    private static final Path TABLES = Path.of("src/test/resources/bad-inputs");
    private static final int MINIMUM_ROWS = 60;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static Path model;
    private static Path files;
    private static Map<String, String> before;

    @BeforeAll
    static void prepareInputs() throws IOException {
        model = shared.resolve("tiny-sd");
        for (String part : List.of("model_index.json", "scheduler", "text_encoder", "tokenizer", "unet", "vae")) {
            Path from = Fixtures.TINY_SD.resolve(part);
            if (Files.isDirectory(from)) {
                Fixtures.copyTree(from, model.resolve(part));
            } else {
                Files.createDirectories(model);
                Files.copy(from, model.resolve(part));
            }
        }
        files = shared.resolve("files");
        Fixtures.copyTree(TABLES.resolve("files"), files);
        before = inputsSnapshot();
    }

    @AfterAll
    static void catalogueIsLargeEnough() {
        assertTrue(rows().count() >= MINIMUM_ROWS, "the catalogue keeps at least " + MINIMUM_ROWS + " bad inputs");
    }

    static Stream<Arguments> rows() {
        List<Arguments> rows = new ArrayList<>();
        try (Stream<Path> tables = Files.list(TABLES)) {
            for (Path table : tables.filter(p -> p.toString().endsWith(".tsv")).sorted().toList()) {
                int n = 0;
                for (String line : Files.readAllLines(table, StandardCharsets.UTF_8)) {
                    n++;
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    int tab = line.indexOf('\t');
                    assertTrue(tab > 0, table + ":" + n + ": expected fragment, a tab, the arguments");
                    rows.add(Arguments.of(table.getFileName() + ":" + n, line.substring(0, tab),
                            line.substring(tab + 1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("rows")
    void endsInOneLineBeforeAnyWork(String where, String expected, String args) throws IOException {
        Path out = tmp.resolve("out");
        Map<String, String> scratch = listing(tmp);
        List<String> argv = split(args.replace("{MODEL}", model.toString())
                .replace("{TOY}", Fixtures.TOYWORLD.toString())
                .replace("{CLIP}", Fixtures.ROOT.resolve("tiny-clip").toString())
                .replace("{SINGLE}", Fixtures.ROOT.resolve("tiny-sd1-single/tiny-sd1c.safetensors").toString())
                .replace("{FILES}", files.toString())
                .replace("{OUT}", out.toString())
                .replace("{TMP}", tmp.toString()));
        CliRun r = CliRun.run(argv);
        assertEquals(Main.EXIT_BAD_INPUT, r.code(), where + ": " + r.err());
        List<String> lines = r.err().lines().toList();
        assertTrue(!lines.isEmpty() && lines.get(0).startsWith("error: "), where + ": " + r.err());
        assertTrue(lines.get(0).contains(expected), where + ": expected \"" + expected + "\" in " + lines.get(0));
        for (String extra : lines.subList(1, lines.size())) {
            assertTrue(extra.startsWith("Try '") || extra.startsWith("Did you mean"),
                    where + ": one line and no work before the error, got: " + r.err());
        }
        assertFalse(r.err().contains("Exception"), where + ": no stack trace: " + r.err());
        assertFalse(Files.exists(out), where + ": nothing written to " + out);
        assertEquals(scratch, listing(tmp), where + ": nothing written to the scratch folder");
        assertEquals(before, inputsSnapshot(), where + ": inputs untouched");
    }

    private static Map<String, String> inputsSnapshot() throws IOException {
        Map<String, String> all = new TreeMap<>();
        listing(model).forEach((k, v) -> all.put("model/" + k, v));
        listing(files).forEach((k, v) -> all.put("files/" + k, v));
        listing(Fixtures.TOYWORLD).forEach((k, v) -> all.put("toy/" + k, v));
        return all;
    }

    /** Relative path to size, modification time and permissions of everything under {@code root}. */
    private static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                FileTime t = Files.getLastModifiedTime(p);
                String kind = Files.isDirectory(p) ? "dir" : Files.size(p) + " bytes";
                m.put(root.relativize(p).toString(), kind + " " + t + " "
                        + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            }
        }
        return m;
    }

    /** Splits on spaces; double quotes group words (and are removed). */
    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    out.add(cur.toString());
                }
                cur.setLength(0);
                any = false;
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }
}
