package dev.conceptprune.convert;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileSource;
import dev.conceptprune.model.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Converts a model between the layouts users have: a single-file checkpoint (LDM layout,
 * {@code .safetensors} or legacy {@code .ckpt}) to a diffusers folder, an SD 1.x or SDXL diffusers
 * folder to a single {@code .safetensors} file, and a {@code .ckpt} to the {@code .safetensors} of the
 * same tensors. Tensors keep their dtype and bits; only names and shapes change, so a round trip
 * gives back the same tensors. Every check runs before anything is written; the output appears
 * complete or not at all.
 */
public final class ModelConversion {
    /** The layouts a conversion writes. */
    public enum Layout {
        /** A diffusers pipeline folder. */
        DIFFUSERS_FOLDER,
        /** One {@code .safetensors} file in the original LDM layout. */
        SINGLE_FILE
    }

    private final ModelSource source;
    private final Path target;
    private final Layout layout;
    private final List<SingleFileExport.Stored> placed;

    private ModelConversion(ModelSource source, Path target, Layout layout, List<SingleFileExport.Stored> placed) {
        this.source = source;
        this.target = target;
        this.layout = layout;
        this.placed = placed;
    }

    /** The layout an output path asks for: a {@code .safetensors} name is a single file, anything else a folder. */
    public static Layout layoutOf(Path target) {
        String name = target.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".ckpt")) {
            throw new InputException(target + ": conversions write .safetensors, never .ckpt (a pickle can"
                    + " carry code); name the output .safetensors");
        }
        return name.endsWith(".safetensors") ? Layout.SINGLE_FILE : Layout.DIFFUSERS_FOLDER;
    }

    /**
     * Checks that {@code source} can be written to {@code target} (layouts, existing output, every
     * tensor's place) without writing anything.
     */
    public static ModelConversion plan(ModelSource source, Path target, boolean replace) {
        Layout layout = layoutOf(target);
        if (Files.exists(target) && !replace) {
            throw new InputException(target + " already exists; replace it explicitly or choose another output");
        }
        OutputLocation location = OutputLocation.of(target).clearOf("model", source.location());
        if (layout == Layout.SINGLE_FILE) {
            location.file(".safetensors", "a single-file safetensors checkpoint");
        } else {
            location.folder();
        }
        if (source instanceof SingleFileSource s) {
            if (layout == Layout.SINGLE_FILE && !s.isCkpt()) {
                throw new InputException(s.location() + " is already a single .safetensors file; convert it to a"
                        + " diffusers folder by naming an output without .safetensors");
            }
            return new ModelConversion(source, target, layout, List.of());
        }
        if (layout == Layout.DIFFUSERS_FOLDER) {
            throw new InputException(source.location() + " is already a diffusers folder; name a .safetensors"
                    + " output to write it as a single file");
        }
        return new ModelConversion(source, target, layout, SingleFileExport.plan(source));
    }

    /** What is written. */
    public Layout layout() {
        return layout;
    }

    /** Writes the converted model to the target. */
    public void run() {
        if (source instanceof SingleFileSource s) {
            if (layout == Layout.DIFFUSERS_FOLDER) {
                FolderExport.write(s, target);
            } else {
                copyStored(s);
            }
        } else {
            SingleFileExport.write(source, placed, target);
        }
    }

    /** A {@code .ckpt}'s tensors as they are stored, EMA copies and all, as a {@code .safetensors} file. */
    private void copyStored(SingleFileSource s) {
        try (TensorSource stored = s.openStored()) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String name : stored.names()) {
                TensorInfo t = stored.info(name);
                w.add(name, t.dtype(), t.shape(), stored.bytes(name));
            }
            w.write(target);
        }
    }
}
