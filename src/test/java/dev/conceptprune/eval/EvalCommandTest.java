package dev.conceptprune.eval;

import dev.conceptprune.clip.ClipFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.cli.Main;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.swing.text.MutableAttributeSet;
import javax.swing.text.html.HTML;
import javax.swing.text.html.HTMLEditorKit;
import javax.swing.text.html.parser.ParserDelegator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval command end to end on the tiny fixtures: two "models" (the same folder twice), two prompts. */
class EvalCommandTest {
    private static final String CSV = """
            prompt,evaluation_seed,gender
            a photo of a man,1,man
            a photo of a woman,,woman
            a row whose seed is not a number,three,man
            """;

    @TempDir
    Path tmp;

    private List<String> args(Path prompts, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("eval", "--model", Fixtures.TINY_SD.toString(),
                "--model", Fixtures.TINY_SD.toString(), "--prompts", prompts.toString(),
                "--clip", ClipFixture.DIR.toString(), "--labels", "man", "--labels", "woman", "--label-column", "gender",
                "--steps", "2", "--height", "64", "--width", "64", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void generatesScoresReportsAndResumes() throws IOException {
        Path prompts = tmp.resolve("prompts.csv");
        Files.writeString(prompts, CSV);
        Path out = tmp.resolve("out");

        CliRun first = CliRun.run(args(prompts, out));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("4 images: 4 generated, 0 reused, 4 scored"), first.out());
        assertTrue(first.err().contains("prompts.csv: line 4: evaluation_seed 'three' is not a number; row skipped"), first.err());
        assertTrue(first.err().contains("eval: 4/4 images") && first.err().contains("ETA"), first.err());

        List<String> files = List.of("images/tiny-sd/0.png", "images/tiny-sd/1.png", "images/tiny-sd-2/0.png",
                "images/tiny-sd-2/1.png");
        for (String f : files) {
            BufferedImage img = ImageIO.read(out.resolve(f).toFile());
            assertEquals(64, img.getWidth(), f);
            assertEquals(64, img.getHeight(), f);
        }
        checkManifest(out, files, 0);
        checkMetrics(out);
        checkReport(out);

        Map<String, FileTime> times = mtimes(out, files);
        CliRun second = CliRun.run(args(prompts, out));
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("4 images: 0 generated, 4 reused, 0 scored"), second.out());
        assertEquals(times, mtimes(out, files), "a re-run with the same settings rewrites no image");

        // Only the row without its own evaluation_seed depends on --seed.
        CliRun third = CliRun.run(args(prompts, out, "--seed", "5"));
        assertEquals(0, third.code(), third.err());
        assertTrue(third.out().contains("4 images: 2 generated, 2 reused, 2 scored"), third.out());
        Map<String, FileTime> after = mtimes(out, files);
        assertEquals(times.get(files.get(0)), after.get(files.get(0)));
        checkManifest(out, files, 5);

        Path other = tmp.resolve("other.csv");
        Files.writeString(other, "prompt,gender\na photo of a cat,man\n");
        CliRun foreign = CliRun.run(args(other, out));
        assertEquals(Main.EXIT_BAD_INPUT, foreign.code());
        assertTrue(foreign.err().startsWith("error: ") && foreign.err().contains("--force"), foreign.err());
        assertEquals(after, mtimes(out, files), "a refused run leaves the folder alone");
    }

    @Test
    void badInputFailsInSecondsAndCreatesNothing() throws IOException {
        Path prompts = tmp.resolve("prompts.csv");
        Files.writeString(prompts, CSV);
        Path empty = tmp.resolve("empty.csv");
        Files.writeString(empty, "prompt,gender\n");
        Path out = tmp.resolve("out");
        Map<String, List<String>> cases = new LinkedHashMap<>();
        cases.put("file not found", args(tmp.resolve("missing.csv"), out));
        cases.put("has a header but no prompt rows", args(empty, out));
        cases.put("model folder not found", replace(args(prompts, out), Fixtures.TINY_SD.toString(),
                tmp.resolve("nope").toString()));
        cases.put("config.json", replace(args(prompts, out), ClipFixture.DIR.toString(), Fixtures.TINY_SD.toString()));
        cases.put("has no column 'sex'", replace(args(prompts, out), "gender", "sex"));
        cases.put("match none of the labels", replace(args(prompts, out), "woman", "girl"));
        List<String> noClip = args(prompts, out);
        noClip.subList(noClip.indexOf("--clip"), noClip.indexOf("--clip") + 2).clear();
        cases.put("--labels needs --clip", noClip);
        for (Map.Entry<String, List<String>> c : cases.entrySet()) {
            CliRun r = CliRun.run(c.getValue());
            assertEquals(Main.EXIT_BAD_INPUT, r.code(), c.getKey() + ": " + r.err());
            assertTrue(r.err().startsWith("error: ") && r.err().contains(c.getKey()), c.getKey() + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(Files.exists(out), c.getKey() + ": no output folder");
        }
    }

    private static List<String> replace(List<String> args, String from, String to) {
        List<String> out = new ArrayList<>(args);
        out.replaceAll(a -> a.equals(from) ? to : a);
        return out;
    }

    private static void checkManifest(Path out, List<String> files, long defaultSeed) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("manifest.jsonl"));
        assertEquals(files.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            assertEquals(files.get(i), o.get("file").getAsString());
            int row = i % 2;
            assertEquals(row == 0 ? "a photo of a man" : "a photo of a woman", o.get("prompt").getAsString());
            assertEquals(row == 0 ? 1 : defaultSeed, o.get("seed").getAsLong());
            assertEquals(7.5, o.get("guidance").getAsDouble());
            assertEquals(2, o.get("steps").getAsInt());
            assertEquals(i < 2 ? "tiny-sd" : "tiny-sd-2", o.getAsJsonObject("model").get("name").getAsString());
            assertEquals("cpu", o.getAsJsonObject("model").get("device").getAsString());
            assertEquals("float32", o.getAsJsonObject("model").get("dtype").getAsString());
            assertEquals(Fixtures.TINY_SD.toAbsolutePath().normalize().toString(),
                    o.getAsJsonObject("model").get("path").getAsString());
            assertTrue(o.has("case_number") && o.get("case_number").isJsonNull());
            assertEquals(row == 0 ? "man" : "woman", o.getAsJsonObject("labels").get("gender").getAsString());
            JsonObject scores = o.getAsJsonObject("scores");
            double clip = scores.get("clip_score").getAsDouble();
            assertTrue(clip >= 0 && clip <= 100, "clip score " + clip);
            JsonObject zs = scores.getAsJsonObject("zero_shot");
            // measured 1.1e-16: double rounding
            assertEquals(1.0, zs.get("man").getAsDouble() + zs.get("woman").getAsDouble(), 2e-15);
            assertTrue(List.of("man", "woman").contains(scores.get("best_label").getAsString()));
        }
    }

    private static void checkMetrics(Path out) throws IOException {
        JsonObject m = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        assertEquals(1, m.getAsJsonObject("prompts").get("problems").getAsInt());
        assertTrue(m.getAsJsonObject("prompts").getAsJsonArray("problem_lines").get(0).getAsString().startsWith("line 4:"));
        assertEquals("tiny-sd", m.get("baseline").getAsString());
        JsonArray models = m.getAsJsonArray("models");
        assertEquals(2, models.size());
        for (int i = 0; i < 2; i++) {
            JsonObject model = models.get(i).getAsJsonObject();
            assertEquals(i == 0 ? "tiny-sd" : "tiny-sd-2", model.get("name").getAsString());
            assertEquals(2, model.get("count").getAsInt());
            assertTrue(model.get("mean_clip_score").isJsonPrimitive());
            JsonObject dist = model.getAsJsonObject("label_distribution");
            assertEquals(1.0, dist.get("man").getAsDouble() + dist.get("woman").getAsDouble());
            JsonObject acc = model.getAsJsonObject("accuracy");
            assertEquals("gender", acc.get("column").getAsString());
            assertEquals(2, acc.get("labeled").getAsInt());
            assertEquals(acc.get("correct").getAsInt() / 2.0, acc.get("value").getAsDouble());
            assertEquals(i == 1, model.has("delta_vs_first"));
        }
        JsonObject delta = models.get(1).getAsJsonObject().getAsJsonObject("delta_vs_first");
        // Same weights, same seeds: the second "model" matches the baseline exactly.
        assertEquals(0.0, delta.get("mean_clip_score").getAsDouble());
        assertEquals(0.0, delta.get("accuracy").getAsDouble());
        assertTrue(delta.getAsJsonObject("label_distribution").has("woman"));
    }

    /** Parses the report with the JDK's HTML parser and checks its structure and links. */
    private static void checkReport(Path out) throws IOException {
        ReportOutline r = ReportOutline.parse(out.resolve("report.html"));
        assertTrue(r.title.startsWith("ConceptPrune evaluation: prompts.csv"), r.title);
        List<List<List<String>>> metrics = r.tables.get("metrics numeric");
        assertNotNull(metrics, "metric table; tables: " + r.tables.keySet());
        assertEquals(3, metrics.size(), "header and one row per model");
        assertEquals("tiny-sd", metrics.get(1).get(0).get(0));
        assertEquals("baseline", metrics.get(1).get(3).get(0));
        assertEquals("tiny-sd-2", metrics.get(2).get(0).get(0));
        List<List<String>> grid = r.gridImages;
        assertEquals(3, grid.size(), "header and one grid row per prompt");
        assertTrue(grid.get(0).isEmpty());
        for (List<String> row : grid.subList(1, grid.size())) {
            assertEquals(2, row.size(), "one image per model");
            for (String src : row) {
                assertFalse(src.startsWith("/") || src.contains(":"), "relative link: " + src);
                assertTrue(Files.isRegularFile(out.resolve(src)), src);
            }
        }
    }

    /** Title, tables (by class: rows of cells of text) and the img sources per row of the image grid. */
    private static final class ReportOutline extends HTMLEditorKit.ParserCallback {
        String title = "";
        final Map<String, List<List<List<String>>>> tables = new LinkedHashMap<>();
        final List<List<String>> gridImages = new ArrayList<>();
        private boolean inTitle;
        private List<List<List<String>>> table;
        private boolean grid;

        static ReportOutline parse(Path html) throws IOException {
            ReportOutline o = new ReportOutline();
            try (Reader r = Files.newBufferedReader(html)) {
                new ParserDelegator().parse(r, o, true);
            }
            return o;
        }

        @Override
        public void handleStartTag(HTML.Tag t, MutableAttributeSet a, int pos) {
            if (t == HTML.Tag.TITLE) {
                inTitle = true;
            } else if (t == HTML.Tag.TABLE) {
                table = new ArrayList<>();
                String cls = String.valueOf(a.getAttribute(HTML.Attribute.CLASS));
                tables.put(cls, table);
                grid = cls.equals("grid");
            } else if (t == HTML.Tag.TR && table != null) {
                table.add(new ArrayList<>());
                if (grid) {
                    gridImages.add(new ArrayList<>());
                }
            } else if ((t == HTML.Tag.TD || t == HTML.Tag.TH) && table != null) {
                table.get(table.size() - 1).add(new ArrayList<>());
            }
        }

        @Override
        public void handleSimpleTag(HTML.Tag t, MutableAttributeSet a, int pos) {
            if (t == HTML.Tag.IMG && grid) {
                gridImages.get(gridImages.size() - 1).add((String) a.getAttribute(HTML.Attribute.SRC));
            }
        }

        @Override
        public void handleEndTag(HTML.Tag t, int pos) {
            if (t == HTML.Tag.TITLE) {
                inTitle = false;
            } else if (t == HTML.Tag.TABLE) {
                table = null;
                grid = false;
            }
        }

        @Override
        public void handleText(char[] data, int pos) {
            String text = new String(data);
            if (inTitle) {
                title += text;
            } else if (table != null && !table.isEmpty() && !table.get(table.size() - 1).isEmpty()) {
                List<List<String>> row = table.get(table.size() - 1);
                row.get(row.size() - 1).add(text);
            }
        }
    }

    private static Map<String, FileTime> mtimes(Path out, List<String> files) throws IOException {
        Map<String, FileTime> m = new LinkedHashMap<>();
        for (String f : files) {
            m.put(f, Files.getLastModifiedTime(out.resolve(f)));
        }
        try (Stream<Path> s = Files.list(out.resolve("images"))) {
            assertEquals(2, s.count(), "one image folder per model");
        }
        return m;
    }
}
