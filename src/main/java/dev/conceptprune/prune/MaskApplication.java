package dev.conceptprune.prune;

import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import java.nio.file.Path;
import java.util.List;

/** Saved masks applied to their base model: checked against its fingerprint, united, exported. */
public final class MaskApplication {
    private MaskApplication() {
    }

    /**
     * Writes {@code base} with the union of {@code masks} applied: a diffusers folder to the folder
     * {@code out}, a single-file checkpoint to the file of its name inside {@code out}.
     *
     * @return the united mask
     */
    public static PruneMask apply(ModelSource base, List<Path> masks, Path out, boolean force) {
        if (masks.isEmpty()) {
            throw new InputException("no mask to apply");
        }
        PruneMask all = null;
        try (TensorSource unet = base.tensors(Component.UNET)) {
            for (Path p : masks) {
                PruneMask m = PruneMask.read(p);
                if (!BaseFingerprint.matches(unet, m.fingerprint())) {
                    throw new InputException("mask " + p + " was computed on another model (its fingerprint "
                            + m.fingerprint() + " does not match " + base.location() + ": "
                            + BaseFingerprint.of(unet) + ")");
                }
                all = all == null ? m : all.union(m);
            }
        }
        EditedModel.export(base, WeightEdits.of(base, all), EditedModel.target(base, out, out), force);
        return all;
    }
}
