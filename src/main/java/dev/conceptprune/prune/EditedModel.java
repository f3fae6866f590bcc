package dev.conceptprune.prune;

import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileSource;
import java.nio.file.Path;

/**
 * Writes a mask's edit of a model in the model's own layout: a diffusers folder as a folder
 * ({@link PrunedModelWriter}), a single-file checkpoint as a single file ({@link SingleFileWriter}).
 */
public final class EditedModel {
    private EditedModel() {
    }

    /**
     * Where the edited copy of {@code base} goes: {@code folder} for a diffusers folder, the file of
     * the checkpoint's name inside {@code fileDir} for a single file.
     */
    public static Path target(ModelSource base, Path folder, Path fileDir) {
        return base instanceof SingleFileSource s ? fileDir.resolve(SingleFileWriter.outputName(s)) : folder;
    }

    /** Writes {@code base} with {@code mask} applied to {@code target} (see {@link #target}). */
    public static void export(ModelSource base, PruneMask mask, Path target, boolean force) {
        if (base instanceof SingleFileSource s) {
            SingleFileWriter.export(s, mask, target, force);
        } else {
            PrunedModelWriter.export((DiffusersFolder) base, mask, target, force);
        }
    }
}
