package dev.conceptprune.toyworld;

import dev.conceptprune.eval.HtmlReport;
import dev.conceptprune.metrics.Rate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The robustness section of the demo's report: one row per model variant, every rate with n and interval. */
final class RobustnessReport {
    private RobustnessReport() {
    }

    static void section(HtmlReport r, RobustnessResult res) {
        List<List<String>> rows = new ArrayList<>();
        for (RobustnessResult.Variant v : res.variants()) {
            RobustnessResult.Recovery rec = v.recovery();
            rows.add(HtmlReport.cells(v.name(), rate(v.concept()), v.underAttack() == null ? "" : rate(v.underAttack()),
                    rate(v.ownStyle()), rate(v.falseStyle()),
                    rec == null ? "" : rec.locatedPruned() + " of " + rec.pruned() + " (" + rec.located() + " zeros)",
                    rec == null ? "" : rate(rec.signAgreement()),
                    v.attackSeconds() == null ? "" : String.format(Locale.ROOT, "%.1f", v.attackSeconds()),
                    rec == null ? "" : String.format(Locale.ROOT, "%.1f", rec.seconds())));
        }
        r.section("Robustness (demo --attack)", "Each erased model is attacked twice: UnlearnDiffAtk (" + res.tokens()
                + " adversarial tokens, " + res.rounds() + " rounds of " + res.iterations() + " steps, towards the base "
                + "model's image of each prompt) and the recovery attack of 'Roots Beneath the Cut' (exact zeros "
                + "located, completed by soft-thresholded SVD, top " + res.topRatio() + " signs kept, neuron-max "
                + "magnitudes), which sees only the erased model. The prompt filter is the base model with the style "
                + "phrase deleted: an attack that cannot beat it is too weak to say anything. '" + res.concept()
                + "' = images showing it on the held-out prompts that ask for it; own style = prompts asking for "
                + "another style whose image shows it; false style = no-style prompts showing one. Rates: count / n, "
                + "rate [95% Wilson interval].")
                .table("robustness", List.of("variant", res.concept() + " (no attack)", "under UnlearnDiffAtk",
                        "own style kept", "false style", "pruned weights located", "recovered signs right",
                        "attack s / prompt", "recovery s"), rows);
    }

    private static String rate(Rate r) {
        return r.defined() ? HtmlReport.countAndInterval(r) : "n/a (n = 0)";
    }
}
