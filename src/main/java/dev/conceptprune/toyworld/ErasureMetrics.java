package dev.conceptprune.toyworld;

import com.google.gson.JsonElement;
import com.google.gson.JsonSerializationContext;
import com.google.gson.JsonSerializer;
import com.google.gson.annotations.JsonAdapter;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.OmittedWhenNull;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/**
 * Before/after measures of a style erasure on the toy world: how often the erased style still
 * shows on prompts that ask for it, how much images change, whether other prompts keep their
 * own style, and how often target prompts land on a plain image (no style: the neutral outcome of
 * issue 18) rather than on another style, and how often the detected scene is the one asked for (one
 * attribute besides the style that the edit should leave alone). Written to JSON as {@link Figures}: strict JSON, so an undefined rate is null and
 * {@code undefined} says why.
 */
@JsonAdapter(ErasureMetrics.Serializer.class)
public record ErasureMetrics(String style, int targetCount, double targetStyleBefore, double targetStyleAfter,
                             double targetNoStyleBefore, double targetNoStyleAfter, double targetChange,
                             int otherCount, double otherChange, double otherOwnStyleBefore, double otherOwnStyleAfter,
                             double otherFalseStyleBefore, double otherFalseStyleAfter, int otherStyledCount,
                             int otherPlainCount, double targetSceneBefore, double targetSceneAfter,
                             double otherSceneBefore, double otherSceneAfter) {

    /** One prompt's images and what the detectors saw: the style, and the scene. */
    public record Sample(ToyPrompt prompt, boolean target, float[] before, float[] after, String detectedBefore,
                         String detectedAfter, String sceneBefore, String sceneAfter) {
        /** Mean absolute pixel change in [0, 1] units. */
        public double change() {
            double s = 0;
            for (int i = 0; i < before.length; i++) {
                s += Math.abs(before[i] - after[i]);
            }
            return s / before.length;
        }
    }

    /** Computes the measures for an erased {@code style} (or an object, then style figures are NaN). */
    public static ErasureMetrics of(String style, List<Sample> samples) {
        StyleTally before = new StyleTally(style);
        StyleTally after = new StyleTally(style);
        double targetChange = 0;
        int targets = 0;
        int others = 0;
        double otherChange = 0;
        int[] scenes = new int[4];
        for (Sample s : samples) {
            int at = s.target() ? 0 : 2;
            scenes[at] += s.sceneBefore().equals(s.prompt().scene()) ? 1 : 0;
            scenes[at + 1] += s.sceneAfter().equals(s.prompt().scene()) ? 1 : 0;
            before.add(s.prompt(), s.target(), s.detectedBefore());
            after.add(s.prompt(), s.target(), s.detectedAfter());
            if (s.target()) {
                targets++;
                targetChange += s.change();
            } else {
                others++;
                otherChange += s.change();
            }
        }
        return new ErasureMetrics(style, targets, before.concept().rate(), after.concept().rate(),
                before.plainTargets().rate(), after.plainTargets().rate(),
                targets == 0 ? Double.NaN : targetChange / targets, others,
                others == 0 ? Double.NaN : otherChange / others, before.ownStyle().rate(), after.ownStyle().rate(),
                before.falseStyle().rate(), after.falseStyle().rate(), Math.toIntExact(after.ownStyle().n()),
                Math.toIntExact(after.falseStyle().n()), share(scenes[0], targets), share(scenes[1], targets),
                share(scenes[2], others), share(scenes[3], others));
    }

    private static double share(int count, int n) {
        return n == 0 ? Double.NaN : count / (double) n;
    }

    /**
     * The measures as JSON holds them: null where a rate is undefined (NaN here), with the reason per
     * field in {@code undefined} (absent when every rate is defined).
     */
    public record Figures(String style, int targetCount, Double targetStyleBefore, Double targetStyleAfter,
                          Double targetNoStyleBefore, Double targetNoStyleAfter, Double targetChange,
                          int otherCount, Double otherChange, Double otherOwnStyleBefore, Double otherOwnStyleAfter,
                          Double otherFalseStyleBefore, Double otherFalseStyleAfter, int otherStyledCount,
                          int otherPlainCount, Double targetSceneBefore, Double targetSceneAfter,
                          Double otherSceneBefore, Double otherSceneAfter,
                          @JsonAdapter(value = OmittedWhenNull.class, nullSafe = false) Map<String, String> undefined) {
    }

    /** These measures for JSON. */
    public Figures figures() {
        Json.Undefined why = new Json.Undefined();
        String noTarget = "no target prompts";
        String noOther = "no other prompts";
        String noStyled = "no other prompt asks for a style";
        String noPlain = "every other prompt asks for a style";
        return new Figures(style, targetCount, why.figure("target_style_before", targetStyleBefore, noTarget),
                why.figure("target_style_after", targetStyleAfter, noTarget),
                why.figure("target_no_style_before", targetNoStyleBefore, noTarget),
                why.figure("target_no_style_after", targetNoStyleAfter, noTarget),
                why.figure("target_change", targetChange, noTarget), otherCount,
                why.figure("other_change", otherChange, noOther),
                why.figure("other_own_style_before", otherOwnStyleBefore, noStyled),
                why.figure("other_own_style_after", otherOwnStyleAfter, noStyled),
                why.figure("other_false_style_before", otherFalseStyleBefore, noPlain),
                why.figure("other_false_style_after", otherFalseStyleAfter, noPlain), otherStyledCount,
                otherPlainCount, why.figure("target_scene_before", targetSceneBefore, noTarget),
                why.figure("target_scene_after", targetSceneAfter, noTarget),
                why.figure("other_scene_before", otherSceneBefore, noOther),
                why.figure("other_scene_after", otherSceneAfter, noOther), why.reasons());
    }

    /** Writes {@link #figures()} in place of the record's raw doubles. */
    static final class Serializer implements JsonSerializer<ErasureMetrics> {
        @Override
        public JsonElement serialize(ErasureMetrics m, Type type, JsonSerializationContext context) {
            return context.serialize(m.figures());
        }
    }

    /** Change of target images over change of other images: how selective the edit is (higher is better). */
    public double selectivity() {
        return otherChange > 0 ? targetChange / otherChange : Double.NaN;
    }
}
