package dev.conceptprune.eval;

import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.metrics.Rate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML report: parameter and metric tables, image grids (rows = prompts,
 * columns = models) with relative image links, and an optional trade-off plot drawn as SVG.
 * Nothing is fetched from the network.
 */
public final class HtmlReport {
    /** One grid row: a prompt and, per column, an image path relative to the report plus a caption. */
    public record Row(String prompt, List<String> images, List<String> captions) {
    }

    /** One point of a trade-off plot. */
    public record Point(String label, double x, double y) {
    }

    private final String title;
    private final StringBuilder body = new StringBuilder();

    public HtmlReport(String title) {
        this.title = title;
    }

    /** A heading and a paragraph of plain text. */
    public HtmlReport section(String heading, String text) {
        body.append("<h2>").append(esc(heading)).append("</h2>\n");
        if (text != null && !text.isEmpty()) {
            body.append("<p>").append(esc(text)).append("</p>\n");
        }
        return this;
    }

    /** A key/value table. */
    public HtmlReport parameters(Map<String, ?> params) {
        body.append("<table class=\"params\">\n");
        params.forEach((k, v) -> body.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(String.valueOf(v)))
                .append("</td></tr>\n"));
        body.append("</table>\n");
        return this;
    }

    /** A table with a header row. */
    public HtmlReport table(String cssClass, List<String> header, List<List<String>> rows) {
        body.append("<table class=\"").append(esc(cssClass)).append("\">\n<tr>");
        header.forEach(h -> body.append("<th>").append(esc(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> r : rows) {
            body.append("<tr>");
            r.forEach(c -> body.append("<td>").append(esc(c)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** An image grid: one row per prompt, one column per model. */
    public HtmlReport grid(List<String> columns, List<Row> rows) {
        body.append("<table class=\"grid\">\n<tr><th>prompt</th>");
        columns.forEach(c -> body.append("<th>").append(esc(c)).append("</th>"));
        body.append("</tr>\n");
        for (Row r : rows) {
            body.append("<tr><td class=\"prompt\">").append(esc(r.prompt())).append("</td>");
            for (int i = 0; i < r.images().size(); i++) {
                if (r.images().get(i) == null) {
                    body.append("<td></td>");
                    continue;
                }
                // Lazy, so that a grid of thousands of images loads only what is scrolled to.
                body.append("<td><img loading=\"lazy\" src=\"").append(esc(r.images().get(i))).append("\" alt=\"")
                        .append(esc(columns.get(i) + ": " + r.prompt())).append("\"><div class=\"cap\">")
                        .append(esc(r.captions().get(i))).append("</div></td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** A scatter plot in SVG, axes in [0, 1]. */
    public HtmlReport tradeOff(String xLabel, String yLabel, List<Point> points) {
        int size = 360;
        int pad = 50;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg class=\"tradeoff\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
                + " height=\"%d\" viewBox=\"0 0 %d %d\">%n", size + 2 * pad, size + 2 * pad, size + 2 * pad, size + 2 * pad));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
                pad, pad, size, size));
        for (int i = 0; i <= 4; i++) {
            double v = i / 4.0;
            int px = pad + (int) Math.round(v * size);
            int py = pad + size - (int) Math.round(v * size);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%.2f</text>%n",
                    px, pad + size + 16, v));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.2f</text>%n",
                    pad - 6, py + 4, v));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">%s</text>%n",
                pad + size / 2, pad + size + 38, esc(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 14 %d)\">%s</text>%n", pad + size / 2, pad + size / 2, esc(yLabel)));
        for (Point p : points) {
            if (!Double.isFinite(p.x()) || !Double.isFinite(p.y())) {
                continue;
            }
            double cx = pad + clamp(p.x()) * size;
            double cy = pad + size - clamp(p.y()) * size;
            svg.append(String.format(Locale.ROOT, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#c33\">"
                    + "<title>%s</title></circle>%n", cx, cy, esc(p.label())));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">%s</text>%n", cx + 7, cy - 4,
                    esc(p.label())));
        }
        svg.append("</svg>\n");
        body.append(svg);
        return this;
    }

    /** Raw, already escaped HTML (for small pieces such as a preformatted block). */
    public HtmlReport pre(String text) {
        body.append("<pre>").append(esc(text)).append("</pre>\n");
        return this;
    }

    /** The page as a string. */
    public String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title)
                + "</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n<h1>" + esc(title) + "</h1>\n" + body
                + "</body>\n</html>\n";
    }

    /** Writes the page atomically. */
    public void write(Path file) {
        AtomicFiles.writeString(file, render());
    }

    /** HTML escaping of text and attribute values. */
    public static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Formats a fraction as a percentage, or "n/a". */
    public static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : "n/a";
    }

    /** A rate with its 95% interval, e.g. {@code 25.0% [4.6–69.9]}; "n/a" without trials. */
    public static String interval(Rate r) {
        if (!r.defined()) {
            return "n/a";
        }
        return pct(r.rate()) + String.format(Locale.ROOT, " [%.1f\u2013%.1f]", 100 * r.low(), 100 * r.high());
    }

    /** A rate as count / n with its rate and 95% interval, e.g. {@code 1 / 4, 25.0% [4.6–69.9]}. */
    public static String countAndInterval(Rate r) {
        return r.count() + " / " + r.n() + ", " + interval(r);
    }

    /** Formats a number with 4 decimals, or "n/a". */
    public static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "n/a";
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    /** Rows of strings from values, for {@link #table}. */
    public static List<String> cells(Object... values) {
        List<String> out = new ArrayList<>();
        for (Object v : values) {
            out.add(String.valueOf(v));
        }
        return out;
    }

    private static final String CSS = """
            body { font-family: sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
            table.grid img { width: 128px; height: auto; image-rendering: pixelated; display: block; }
            td.prompt { max-width: 260px; }
            table.numeric td + td { text-align: right; white-space: nowrap; }
            .cap { font-size: 11px; color: #555; }
            pre { background: #f5f5f5; padding: 1em; }
            """;
}
