package dev.conceptprune.attack;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.Progress;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.prune.EditedModel;
import dev.conceptprune.prune.MaskKey;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.prune.SiteLayer;
import dev.conceptprune.prune.SiteWeights;
import dev.conceptprune.prune.WeightEdits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weight-recovery attack on a whole edited model ({@link WeightRecovery} per matrix): the weights
 * of the chosen sites whose share of exact zeros reaches the threshold are recovered, the others are
 * reported as skipped; the recovered model is written in the input's layout beside {@code recovery.json}.
 * The attacker needs nothing but the edited model.
 */
public final class RecoveryAttack {
    /** The recovered model's folder inside the output folder (a single file keeps its name there). */
    public static final String MODEL_DIR = "model";
    /** The summary's name inside the output folder. */
    public static final String SUMMARY = "recovery.json";
    private static final String METHOD = "recover";
    private static final List<Component> SITE_COMPONENTS = List.of(Component.UNET, Component.TEXT_ENCODER,
            Component.TEXT_ENCODER_2);

    private final ModelSource model;
    private final RecoverySettings settings;
    private final Progress progress;

    /** The attack on {@code model} with {@code settings}, reporting on {@code progress}. */
    public RecoveryAttack(ModelSource model, RecoverySettings settings, Progress progress) {
        this.model = model;
        this.settings = settings;
        this.progress = progress;
    }

    /** Where the attack writes the recovered model: {@code OUT/model/}, or {@code OUT/<file name>} for a single file. */
    public static Path recoveredModel(ModelSource model, Path out) {
        return EditedModel.target(model, out.resolve(MODEL_DIR), out);
    }

    /**
     * Runs the attack into the folder {@code out}; existing outputs there need {@code force}. Returns the
     * summary, also written to {@code out}.
     */
    public RecoveryResult run(Path out, boolean force) {
        long start = System.nanoTime();
        Path target = recoveredModel(model, out);
        for (Path p : List.of(target, out.resolve(SUMMARY))) {
            if (Files.exists(p) && !force) {
                throw new InputException(p + " already exists; pass force to replace it");
            }
        }
        List<RecoveryResult.Matrix> recovered = new ArrayList<>();
        List<RecoveryResult.Skipped> skipped = new ArrayList<>();
        Map<String, WeightEdits.Edit> edits = new TreeMap<>();
        long missing = 0;
        try (SiteWeights weights = new SiteWeights(model)) {
            List<SiteLayer> layers = layers(weights);
            if (layers.isEmpty()) {
                throw new InputException(model.location() + " has no weight of the sites " + siteIds());
            }
            Progress.Task task = progress.task("recover", "layer", layers.size(), 0);
            for (SiteLayer l : layers) {
                long[] shape = weights.shape(l);
                int rows = Math.toIntExact(shape[0]);
                int cols = Math.toIntExact(shape[1]);
                float[] w = weights.read(l);
                int zeros = WeightRecovery.zeros(w).length;
                double share = zeros / (double) w.length;
                if (share < settings.minZeroShare()) {
                    skipped.add(new RecoveryResult.Skipped(l.maskKey(), share, zeros == 0 ? "no zeros"
                            : String.format(Locale.ROOT, "zero share %.3g below %.3g", share, settings.minZeroShare())));
                    task.advance(1);
                    continue;
                }
                String name = l.maskKey().replaceFirst("\\.weight$", "");
                WeightRecovery.Result r = WeightRecovery.recover(w, rows, cols, settings, (it, change) ->
                        task.detail(String.format(Locale.ROOT, "%s, iteration %d/%d, change %.2e", name, it,
                                settings.iterations(), change)));
                task.advance(1);
                missing += r.missing();
                if (r.indices().length > 0) {
                    edits.put(l.maskKey(), new WeightEdits.Edit(shape, r.indices(), r.values()));
                }
                recovered.add(new RecoveryResult.Matrix(l.maskKey(), shape, share, r.missing(), r.indices().length,
                        r.keptShare(), r.iterations(), r.converged(), r.seconds()));
            }
            task.finish();
        }
        if (recovered.isEmpty()) {
            progress.warn("no weight of the sites " + siteIds() + " has a zero share of at least "
                    + settings.minZeroShare() + ": nothing to recover (an edit filled with noise instead of zeros hides"
                    + " its positions); the model written is a copy of the input");
        }
        WeightEdits all = new WeightEdits(edits);
        EditedModel.export(model, all, target, force);
        RecoveryResult result = new RecoveryResult(model.location().toString(), METHOD, siteIds(),
                settings.topRatio(), settings.iterations(), settings.tolerance(), settings.minZeroShare(),
                recovered.size(), skipped.size(), missing, all.count(), all.count() == 0,
                out.relativize(target).toString(), recovered, skipped, (System.nanoTime() - start) / 1e9);
        Json.write(out.resolve(SUMMARY), result);
        return result;
    }

    /** Every weight of the sites, found by name in the components that have them (no pipeline is loaded). */
    private List<SiteLayer> layers(SiteWeights weights) {
        List<SiteLayer> out = new ArrayList<>();
        for (PruneSite site : settings.sites()) {
            for (Component c : SITE_COMPONENTS) {
                if (!model.has(c)) {
                    continue;
                }
                for (String name : weights.of(c).names()) {
                    if (site.prunes(c, name)) {
                        long[] shape = weights.of(c).info(name).shape();
                        if (shape.length != 2) {
                            throw new InputException(MaskKey.of(c, name) + " of " + model.location() + " has shape "
                                    + Arrays.toString(shape) + "; a linear layer's weight is a matrix");
                        }
                        out.add(new SiteLayer(c, name, Math.toIntExact(shape[1])));
                    }
                }
            }
        }
        return out;
    }

    private List<String> siteIds() {
        return settings.sites().stream().map(PruneSite::id).toList();
    }

}
