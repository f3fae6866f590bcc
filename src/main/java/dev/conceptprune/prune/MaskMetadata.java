package dev.conceptprune.prune;

import dev.conceptprune.pipeline.GenerationSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one metadata schema of a mask file, written by {@code erase}, its sweeps and the demo alike:
 * how the mask was found, so that it can be reproduced and checked, and the value its pruned weights
 * get ({@code fill}, {@code fill_seed}; see {@link PruneFill}). Stored as the string map of
 * the safetensors header, in this order.
 */
public record MaskMetadata(String method, String site, String concepts, String kind, String promptsSha256,
                           double skillRatio, int tau, double selectRatio, int steps, double guidance, String scheduler,
                           long seed, int height, int width, PruneFill fill) {
    /** The method name every mask carries. */
    public static final String METHOD = "conceptprune";

    /**
     * The metadata of a mask for {@code concept} found at {@code site} with these observation settings,
     * whose pruned weights get {@code fill}.
     */
    public static MaskMetadata of(Concept concept, PruneSite site, double skillRatio, int tau, double selectRatio,
                                  GenerationSettings s, PruneFill fill) {
        return new MaskMetadata(METHOD, site.id(), concept.name(), concept.kind(), concept.promptsSha256(), skillRatio,
                tau, selectRatio, s.steps(), s.guidance(), s.scheduler() == null ? "model" : s.scheduler(), s.seed(),
                s.height(), s.width(), fill);
    }

    /** The same settings with another skill ratio and tau (a sweep point). */
    public MaskMetadata with(double otherSkillRatio, int otherTau) {
        return new MaskMetadata(method, site, concepts, kind, promptsSha256, otherSkillRatio, otherTau, selectRatio,
                steps, guidance, scheduler, seed, height, width, fill);
    }

    /** The same settings with another fill. */
    public MaskMetadata withFill(PruneFill other) {
        return new MaskMetadata(method, site, concepts, kind, promptsSha256, skillRatio, tau, selectRatio, steps,
                guidance, scheduler, seed, height, width, other);
    }

    /** The header entries, keys in snake_case. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("site", site);
        m.put("concepts", concepts);
        m.put("kind", kind);
        m.put("prompts_sha256", promptsSha256);
        m.put("skill_ratio", String.valueOf(skillRatio));
        m.put("tau", String.valueOf(tau));
        m.put("select_ratio", String.valueOf(selectRatio));
        m.put("steps", String.valueOf(steps));
        m.put("guidance", String.valueOf(guidance));
        m.put("scheduler", scheduler);
        m.put("seed", String.valueOf(seed));
        m.put("height", String.valueOf(height));
        m.put("width", String.valueOf(width));
        m.putAll(fill.toMetadata());
        return m;
    }
}
