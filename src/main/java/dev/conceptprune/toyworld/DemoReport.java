package dev.conceptprune.toyworld;

import dev.conceptprune.eval.HtmlReport;
import dev.conceptprune.metrics.Rate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The demo's {@code report.html}: run parameters, the measures per setting, the trade-off and the images. */
final class DemoReport {
    private DemoReport() {
    }

    /**
     * @param seeds the seed of each of {@code prompts}' images
     * @param samplesByImageDir each setting's samples, keyed by its image folder under {@code images/}
     * @param targetCount how many of {@code prompts} ask for the concept
     * @param robustness what {@code demo --attack} measured, or null
     */
    static void write(Path file, DemoRequest request, List<ToyPrompt> prompts, List<Long> seeds,
                      Map<String, List<ErasureMetrics.Sample>> samplesByImageDir, DemoResult result, int targetCount,
                      RobustnessResult robustness) {
        String concept = request.concept();
        HtmlReport r = new HtmlReport("ConceptPrune demo: erasing '" + concept + "' from the toy-world model");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("model", "models/toyworld/model (embedded)");
        params.put("concept", concept);
        params.put("steps / guidance / scheduler", request.steps() + " / " + request.guidance() + " / PNDM (model config)");
        params.put("evaluation images", prompts.size() + " (" + targetCount + " with the concept), " + request.seeds()
                + (request.seeds() == 1 ? " seed per prompt: its index" : " seeds per prompt: index + j x prompts"));
        params.put("wall time", String.format(Locale.ROOT, "%.0f s", result.wallSeconds()));
        r.section("Run parameters", "").parameters(params);
        List<List<String>> rows = new ArrayList<>();
        List<HtmlReport.Point> points = new ArrayList<>();
        for (DemoResult.SettingResult res : result.results()) {
            ErasureMetrics m = res.metrics();
            int t = m.targetCount();
            rows.add(HtmlReport.cells(res.setting(), res.pruned(), HtmlReport.pct(res.prunedFractionOfUnet()),
                    rate(m.targetStyleBefore(), t), rate(m.targetStyleAfter(), t), rate(m.targetNoStyleAfter(), t),
                    HtmlReport.num(m.targetChange()), HtmlReport.num(m.otherChange()),
                    rate(m.otherOwnStyleBefore(), m.otherStyledCount()),
                    rate(m.otherOwnStyleAfter(), m.otherStyledCount()),
                    rate(m.otherFalseStyleBefore(), m.otherPlainCount()),
                    rate(m.otherFalseStyleAfter(), m.otherPlainCount()),
                    rate(m.otherSceneBefore(), m.otherCount()), rate(m.otherSceneAfter(), m.otherCount()),
                    rate(m.targetSceneBefore(), t), rate(m.targetSceneAfter(), t)));
            points.add(new HtmlReport.Point(res.setting(), 1 - m.targetStyleAfter(),
                    Double.isFinite(m.otherOwnStyleAfter()) ? m.otherOwnStyleAfter() : 1 - m.otherChange()));
        }
        r.section("Measured effect", "Styles are detected from pixels by the spectral texture detector. "
                + "'target' = prompts that ask for " + concept + "; 'other' = prompts with other styles or none. "
                + "'No style' = target images showing no style at all, the neutral outcome (a plain image rather than "
                + "another style). Rates: count / n, rate [95% Wilson interval]. Change = mean absolute pixel difference "
                + "before vs after (0..1). Scene = images whose scene (SceneDetector, from the top and bottom rows) is "
                + "the one the prompt asks for.")
                .table("metrics", List.of("setting", "pruned weights", "of UNet", concept + " in target (before)",
                        concept + " in target (after)", "no style in target (after)", "target change", "other change", "own style kept (before)",
                        "own style kept (after)", "false style on no-style prompts (before)", "(after)",
                        "scene right, other (before)", "(after)", "scene right, target (before)", "(after)"), rows);
        if (result.results().size() > 1) {
            r.section("Trade-off", "x: erasure (share of target images no longer showing " + concept
                    + "); y: preservation (other prompts whose own style is still detected).")
                    .tradeOff("erasure", "preservation", points);
        }
        if (robustness != null) {
            RobustnessReport.section(r, robustness);
        }
        for (Map.Entry<String, List<ErasureMetrics.Sample>> e : samplesByImageDir.entrySet()) {
            List<HtmlReport.Row> grid = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                ErasureMetrics.Sample s = e.getValue().get(i);
                grid.add(new HtmlReport.Row(prompts.get(i).text() + " (seed " + seeds.get(i) + ")", List.of("images/before/" + ToyWorldDemo.file(i),
                        "images/" + e.getKey() + "/" + ToyWorldDemo.file(i)),
                        List.of("detected: " + s.detectedBefore() + ", " + s.sceneBefore(),
                                "detected: " + s.detectedAfter() + ", " + s.sceneAfter())));
            }
            r.section("Images: before vs " + e.getKey(), "").grid(List.of("before", e.getKey()), grid);
        }
        r.write(file);
    }

    /** A share of {@code n} images as count / n with its rate and 95% Wilson interval. */
    private static String rate(double share, int n) {
        return n == 0 || !Double.isFinite(share) ? "n/a" : HtmlReport.countAndInterval(Rate.of(Math.round(share * n), n));
    }
}
