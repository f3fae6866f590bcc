package dev.conceptprune.convert;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.model.ldm.DiffusersLayout;
import dev.conceptprune.model.ldm.LdmConverter;
import dev.conceptprune.model.ldm.LdmFamily;
import dev.conceptprune.model.ldm.TensorMapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes a diffusers model as one {@code .safetensors} file in the original LDM layout (what
 * A1111 and ComfyUI load): every UNet, VAE and text-encoder tensor under its single-file name and
 * shape, in its own dtype, values copied bit for bit. The mapping is the inverse of the one the
 * single-file reader uses, so reading the file back gives the same tensors.
 */
final class SingleFileExport {
    /** Constants some text encoders store as buffers; single files need not carry them. */
    private static final Set<String> CONSTANTS = Set.of("text_model.embeddings.position_ids");

    private SingleFileExport() {
    }

    /** The mappings of every tensor, checked before anything is written. */
    static List<Placed> plan(ModelSource model) {
        LdmConverter converter = new LdmConverter(DiffusersLayout.of(model));
        List<Placed> placed = new ArrayList<>();
        for (Component c : LdmFamily.COMPONENTS) {
            List<String> unplaced = new ArrayList<>();
            try (TensorSource tensors = model.tensors(c)) {
                for (String name : tensors.names()) {
                    long[] shape = tensors.info(name).shape();
                    converter.toStored(c, name, shape).ifPresentOrElse(m -> placed.add(new Placed(c, m)), () -> {
                        if (!CONSTANTS.contains(name)) {
                            unplaced.add(name);
                        }
                    });
                }
            }
            if (!unplaced.isEmpty()) {
                throw new InputException(model.location() + ": " + unplaced.size() + " " + c.folderName()
                        + " tensors have no place in an " + LdmFamily.SD1.label() + " single file, e.g. '"
                        + unplaced.get(0) + "'");
            }
        }
        return placed;
    }

    static void write(ModelSource model, List<Placed> placed, Path target) {
        SafetensorsWriter w = new SafetensorsWriter();
        List<TensorSource> open = new ArrayList<>();
        try {
            for (Component c : LdmFamily.COMPONENTS) {
                TensorSource tensors = model.tensors(c);
                open.add(tensors);
                for (Placed p : placed) {
                    if (p.component() == c) {
                        TensorInfo t = tensors.info(p.mapping().diffusersName());
                        w.add(p.mapping().storedName(), t.dtype(), p.mapping().storedShape(),
                                tensors.bytes(p.mapping().diffusersName()));
                    }
                }
            }
            w.write(target);
        } finally {
            open.forEach(TensorSource::close);
        }
    }

    /** One diffusers tensor of a component and where it goes in the file. */
    record Placed(Component component, TensorMapping mapping) {
    }
}
