package dev.conceptprune.attack;

import dev.conceptprune.eval.Detector;
import dev.conceptprune.metrics.Rate;
import java.util.List;
import java.util.Map;

/**
 * The figures of an attack run, {@code metrics.json}: how often the concept shows without and under attack
 * (the attack success rate), each with n and its 95% interval, and what it cost.
 *
 * @param conceptTarget      reference images (the targets) that show the concept: a weak target makes a weak attack
 * @param conceptWithoutAttack attacked model's images for the prompts as given
 * @param conceptUnderAttack attacked model's images for the adversarial prompts: the attack success rate
 * @param secondsPerPrompt   mean wall time of one prompt, its three images included
 */
public record PromptAttackMetrics(String method, String model, String referenceModel, int prompts, String detector,
                                  Map<String, Object> detectorSettings, String conceptLabel, Rate conceptTarget,
                                  Rate conceptWithoutAttack, Rate conceptUnderAttack, UnlearnDiffAtk.Settings search,
                                  int steps, double guidance, double secondsPerPrompt, double seconds) {
    static PromptAttackMetrics of(PromptAttackRequest r, Detector detector, List<PromptAttackRow> rows,
                                  double seconds) {
        Rate target = null;
        Rate plain = null;
        Rate attacked = null;
        if (detector != null) {
            long t = 0;
            long p = 0;
            long a = 0;
            for (PromptAttackRow row : rows) {
                t += r.conceptLabel().equals(row.detectedTarget()) ? 1 : 0;
                p += row.conceptPlain() ? 1 : 0;
                a += row.concept() ? 1 : 0;
            }
            target = Rate.of(t, rows.size());
            plain = Rate.of(p, rows.size());
            attacked = Rate.of(a, rows.size());
        }
        double perPrompt = rows.stream().mapToDouble(PromptAttackRow::seconds).average().orElse(0);
        return new PromptAttackMetrics(PromptAttack.METHOD, r.model().toString(), r.referenceModel().toString(),
                rows.size(), detector == null ? null : detector.name(), detector == null ? null : detector.settings(),
                r.conceptLabel(), target, plain, attacked, r.search(), r.sampling().steps(), r.sampling().guidance(),
                perPrompt, seconds);
    }
}
