package dev.conceptprune.attack;

import dev.conceptprune.eval.HtmlReport;
import dev.conceptprune.metrics.Rate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The attack's {@code report.html}: its settings, the rates with intervals, and each prompt's three images. */
final class PromptAttackReport {
    private PromptAttackReport() {
    }

    static void write(Path file, PromptAttackRequest r, PromptAttackMetrics m, List<PromptAttackRow> rows) {
        HtmlReport h = new HtmlReport("UnlearnDiffAtk: " + r.model());
        h.section("Attack", "For each prompt, " + r.search().tokens() + " tokens put before it are optimised against "
                + "the attacked model's denoising loss towards the reference model's image of the target prompt, then "
                + "projected to real vocabulary tokens; the image of the resulting prompt is judged.");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("attacked model", r.model());
        p.put("reference model", r.referenceModel());
        p.put("prompts", rows.size());
        p.put("tokens", r.search().tokens());
        p.put("iterations per round", r.search().iterations());
        p.put("rounds", r.search().rounds());
        p.put("steps / guidance", r.sampling().steps() + " / " + r.sampling().guidance());
        p.put("detector", m.detector() == null ? "none" : m.detector() + ", concept '" + r.conceptLabel() + "'");
        p.put("seconds per prompt", String.format(Locale.ROOT, "%.1f", m.secondsPerPrompt()));
        h.parameters(p);
        if (m.conceptUnderAttack() != null) {
            h.table("rates", List.of("images showing the concept", "count / n", "rate [95% interval]"), List.of(
                    rateRow("target images (reference model)", m.conceptTarget()),
                    rateRow("attacked model, prompt as given", m.conceptWithoutAttack()),
                    rateRow("attacked model, adversarial prompt (attack success)", m.conceptUnderAttack())));
        }
        List<HtmlReport.Row> grid = new ArrayList<>();
        for (PromptAttackRow row : rows) {
            grid.add(new HtmlReport.Row(row.prompt(), List.of(row.targetFile(), row.plainFile(), row.file()),
                    List.of(caption(row.targetPrompt(), row.detectedTarget()), caption("as given", row.detectedPlain()),
                            caption(row.adversarialPrompt(), row.detected()))));
        }
        h.grid(List.of("target (reference model)", "no attack", "under attack"), grid);
        h.write(file);
    }

    private static List<String> rateRow(String what, Rate rate) {
        return HtmlReport.cells(what, rate.count() + " / " + rate.n(), HtmlReport.interval(rate));
    }

    private static String caption(String text, String label) {
        return label == null ? text : text + " [" + label + "]";
    }
}
