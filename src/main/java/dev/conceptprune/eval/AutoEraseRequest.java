package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.PruneFill;
import dev.conceptprune.prune.PruneSite;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link AutoErase} searches ({@code erase --auto}): the candidate settings of one concept's erasure,
 * the validation prompts that judge them and the constraints the chosen one must meet.
 *
 * @param sites candidate sites, one discovery each
 * @param skillRatios candidate skill ratios, at every site
 * @param fills candidate fills; the matched one only at the sites that read the text states
 * @param tau UNet calls observed at the time-dependent sites
 * @param settings the discovery's sampler settings
 * @param neutralPrompts the matched fill's neutral prompts, or null for the concept's base prompts
 * @param preservedPrompts the matched fill's preserved prompts, or null for the concept's base prompts
 * @param validation prompts the discovery did not use: rows with a {@code neutral_prompt} ask for the concept,
 *     the others for something to keep
 * @param sampling the validation images' sampler defaults
 * @param detector the judge; its verdicts decide every figure
 * @param conceptLabel the detector's label of the concept
 * @param maxTarget the highest share of concept rows still showing the concept that a choice may have
 * @param minPreserve the lowest share of other rows whose verdict equals the base model's that a choice may have
 * @param maxMinutes stop trying candidates after this long (the ones tried are still compared), or null
 */
public record AutoEraseRequest(Path model, SingleFileOptions modelOptions, Concept concept, List<PruneSite> sites,
                               List<Double> skillRatios, List<PruneFill> fills, int tau, int batch,
                               GenerationSettings settings, List<String> neutralPrompts, List<String> preservedPrompts,
                               PromptSet validation, SamplingDefaults sampling, DecodeTiling tiling, Detector detector,
                               String conceptLabel, double maxTarget, double minPreserve, Double maxMinutes, Path out,
                               boolean force) {
    /** The default constraints, stated in the help. */
    public static final double MAX_TARGET = 0.05;
    /** See {@link #MAX_TARGET}. */
    public static final double MIN_PRESERVE = 0.9;

    public AutoEraseRequest {
        sites = List.copyOf(sites);
        skillRatios = List.copyOf(skillRatios);
        fills = List.copyOf(fills);
        Objects.requireNonNull(detector, "detector");
        if (sites.isEmpty() || skillRatios.isEmpty() || fills.isEmpty()) {
            throw new InputException("the search needs at least one site, skill ratio and fill");
        }
        for (double r : skillRatios) {
            if (!(r > 0 && r <= 1)) {
                throw new InputException("skill ratio must be in (0, 1], got " + r);
            }
        }
        if (!(maxTarget >= 0 && maxTarget <= 1) || !(minPreserve >= 0 && minPreserve <= 1)) {
            throw new InputException("the constraints are shares in [0, 1]: max target " + maxTarget
                    + ", min preserve " + minPreserve);
        }
        if (maxMinutes != null && !(maxMinutes > 0)) {
            throw new InputException("the time budget must be > 0 minutes, got " + maxMinutes);
        }
        if (!detector.labels().contains(conceptLabel)) {
            throw new InputException("the concept label '" + conceptLabel + "' is not one of the detector's labels "
                    + detector.labels());
        }
        if (candidates(sites, skillRatios, fills).isEmpty()) {
            throw new InputException("no candidate: the matched fill needs a site that reads the text states "
                    + "(attn2-k, attn2-v, attn2-kv)");
        }
        String column = validation.labelColumns().stream().filter(c -> c.equalsIgnoreCase(EvalPlan.NEUTRAL_COLUMN))
                .findFirst().orElse(null);
        long targets = column == null ? 0 : validation.rows().stream()
                .filter(r -> r.labels().get(column) != null && !r.labels().get(column).isBlank()).count();
        if (targets == 0 || targets == validation.rows().size()) {
            throw new InputException(validation.file() + ": the validation prompts need rows with a "
                    + EvalPlan.NEUTRAL_COLUMN + " (prompts with the concept, and what they should look like without "
                    + "it) and rows without one (prompts to keep); it has " + targets + " of "
                    + validation.rows().size() + " with one");
        }
    }

    /** One setting the search tries. */
    public record Candidate(PruneSite site, double skillRatio, PruneFill fill) {
        /** How tables name it. */
        public String label() {
            return site.id() + " r=" + skillRatio + " " + fill.kind().id();
        }

        /** How file names carry it. */
        public String slug() {
            return site.id() + "-r" + skillRatio + "-" + fill.kind().id();
        }
    }

    /** Every site x skill ratio x fill, the matched fill only where the site reads the text states; site by site. */
    public List<Candidate> candidates() {
        return candidates(sites, skillRatios, fills);
    }

    private static List<Candidate> candidates(List<PruneSite> sites, List<Double> skillRatios, List<PruneFill> fills) {
        List<Candidate> out = new java.util.ArrayList<>();
        for (PruneSite s : sites) {
            for (double r : skillRatios) {
                for (PruneFill f : fills) {
                    if (f.kind() != PruneFill.Kind.MATCHED || s.readsTextStates()) {
                        out.add(new Candidate(s, r, f));
                    }
                }
            }
        }
        return out;
    }
}
