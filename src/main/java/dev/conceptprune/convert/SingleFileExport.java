package dev.conceptprune.convert;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.model.TensorView;
import dev.conceptprune.model.ldm.DiffusersLayout;
import dev.conceptprune.model.ldm.LdmConverter;
import dev.conceptprune.model.ldm.LdmFamily;
import dev.conceptprune.model.ldm.TensorMapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a diffusers model as one {@code .safetensors} file in the original LDM layout (what
 * A1111 and ComfyUI load; SGM for SDXL): every UNet, VAE and text-encoder tensor under its
 * single-file name and shape, in its own dtype, values copied bit for bit. SDXL's second encoder
 * gets OpenCLIP's fused q;k;v tensors and its transposed text projection back. The mapping is the
 * inverse of the one the single-file reader uses, so reading the file back gives the same tensors.
 */
final class SingleFileExport {
    /** Constants some text encoders store as buffers; single files need not carry them. */
    private static final Set<String> CONSTANTS = Set.of("text_model.embeddings.position_ids");

    private SingleFileExport() {
    }

    /** The stored tensors to write, each with the diffusers tensors it is made of, checked before anything is written. */
    static List<Stored> plan(ModelSource model) {
        LdmConverter converter = new LdmConverter(DiffusersLayout.of(model));
        LdmFamily family = converter.layout().family();
        Map<String, Stored> stored = new LinkedHashMap<>();
        for (Component c : family.components()) {
            List<String> unplaced = new ArrayList<>();
            try (TensorSource tensors = model.tensors(c)) {
                for (String name : tensors.names()) {
                    long[] shape = tensors.info(name).shape();
                    converter.toStored(c, name, shape).ifPresentOrElse(
                            m -> stored.computeIfAbsent(m.storedName(), k -> new Stored(c, new ArrayList<>()))
                                    .parts().add(m),
                            () -> {
                                if (!CONSTANTS.contains(name)) {
                                    unplaced.add(name);
                                }
                            });
                }
            }
            if (!unplaced.isEmpty()) {
                throw new InputException(model.location() + ": " + unplaced.size() + " " + c.folderName()
                        + " tensors have no place in an " + family.label() + " single file, e.g. '"
                        + unplaced.get(0) + "'");
            }
        }
        for (Stored s : stored.values()) {
            s.checkComplete(model.location());
        }
        return List.copyOf(stored.values());
    }

    static void write(ModelSource model, List<Stored> plan, Path target) {
        SafetensorsWriter w = new SafetensorsWriter();
        Map<Component, TensorSource> open = new EnumMap<>(Component.class);
        try {
            for (Stored s : plan) {
                TensorSource tensors = open.computeIfAbsent(s.component(), model::tensors);
                TensorMapping first = s.parts().get(0);
                TensorInfo t = tensors.info(first.diffusersName());
                w.add(first.storedName(), t.dtype(), first.storedShape(), s.bytes(tensors, t.dtype().size()));
            }
            w.write(target);
        } finally {
            open.values().forEach(TensorSource::close);
        }
    }

    /**
     * One tensor of the file and the diffusers tensors of one component it holds: one, or q, k and
     * v of a fused projection.
     */
    record Stored(Component component, List<TensorMapping> parts) {

        /** Refuses a stored tensor that its diffusers parts do not fill (a fused projection missing q, k or v). */
        void checkComplete(Path model) {
            TensorMapping first = parts.get(0);
            long count = storedCount();
            long filled = parts.stream().mapToLong(TensorMapping::elementCount).sum();
            if (filled != count) {
                throw new InputException(model + ": the " + component.folderName() + " tensors "
                        + parts.stream().map(TensorMapping::diffusersName).toList() + " fill " + filled + " of the "
                        + count + " elements of the single file's '" + first.storedName() + "'");
            }
        }

        /** The stored tensor's bytes: the diffusers tensor's own, or its parts put in place. */
        ByteBuffer bytes(TensorSource tensors, int elementSize) {
            TensorMapping first = parts.get(0);
            if (parts.size() == 1 && !first.transposed()) {
                return tensors.bytes(first.diffusersName());
            }
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(storedCount() * elementSize))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (TensorMapping m : parts) {
                ByteBuffer part = tensors.bytes(m.diffusersName());
                if (m.transposed()) {
                    part = TensorView.transposed(part, m.shape()[0], m.shape()[1], elementSize);
                }
                out.put(Math.toIntExact(m.elementOffset() * elementSize), part, part.position(), part.remaining());
            }
            return out;
        }

        private long storedCount() {
            long count = 1;
            for (long d : parts.get(0).storedShape()) {
                count *= d;
            }
            return count;
        }
    }
}
