package dev.conceptprune.prune;

import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileSource;
import java.nio.file.Path;

/**
 * Writes an edit of a model (a pruning mask's, through its fill, or any {@link WeightEdits}) in the
 * model's own layout: a diffusers folder as a folder
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

    /** Writes {@code base} with {@code edits} applied to {@code target} (see {@link #target}). */
    public static void export(ModelSource base, WeightEdits edits, Path target, boolean force) {
        if (base instanceof SingleFileSource s) {
            SingleFileWriter.export(s, edits, target, force);
        } else {
            PrunedModelWriter.export((DiffusersFolder) base, edits, target, force);
        }
    }
}
