package dev.conceptprune.prune;

import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.SingleFileSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.model.ldm.ComponentMapping;
import dev.conceptprune.model.ldm.TensorMapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an edited copy of a single-file checkpoint in the input's own layout, so that it goes
 * straight back into A1111 or ComfyUI: a {@code .safetensors} input is copied byte for byte and
 * only the edited elements are overwritten in place with their new values in the tensor's own dtype
 * (same tensor names, dtypes, shapes, order and {@code __metadata__}); a legacy {@code .ckpt} becomes a
 * {@code .safetensors} file of the same tensors. Edits name parameters by their diffusers names; the
 * file's own names come from the source's mapping. Written under a temporary name and renamed.
 */
public final class SingleFileWriter {
    private SingleFileWriter() {
    }

    /** The edited file's name: the input's, with {@code .safetensors} for a {@code .ckpt}. */
    public static String outputName(SingleFileSource base) {
        String name = base.location().getFileName().toString();
        return name.toLowerCase(Locale.ROOT).endsWith(".ckpt") ? name.substring(0, name.length() - 5) + ".safetensors"
                : name;
    }

    /** Writes {@code base} with {@code edits} applied to the file {@code out}; an existing one needs {@code force}. */
    public static void export(SingleFileSource base, WeightEdits edits, Path out, boolean force) {
        OutputLocation.of(out).clearOf("model", base.location()).file(".safetensors", "safetensors");
        if (Files.exists(out) && !force) {
            throw new InputException(out + " already exists; export with force to replace it");
        }
        Map<String, Stored> stored = storedEdits(base, edits);
        if (outputName(base).equals(base.location().getFileName().toString())) {
            editInCopy(base.location(), out, stored);
        } else {
            rewrite(base, out, stored);
        }
    }

    /** The edits of one stored tensor: its flat element indices (in no particular order) and their values. */
    private record Stored(int[] indices, float[] values) {
        Stored merge(Stored other) {
            int[] i = Arrays.copyOf(indices, indices.length + other.indices.length);
            System.arraycopy(other.indices, 0, i, indices.length, other.indices.length);
            float[] v = Arrays.copyOf(values, values.length + other.values.length);
            System.arraycopy(other.values, 0, v, values.length, other.values.length);
            return new Stored(i, v);
        }
    }

    /** Stored tensor name -> its edits, each edited parameter checked against the file. */
    private static Map<String, Stored> storedEdits(SingleFileSource base, WeightEdits edits) {
        Map<String, Stored> out = new HashMap<>();
        for (Map.Entry<String, WeightEdits.Edit> e : edits.edits().entrySet()) {
            Component c = MaskKey.component(e.getKey());
            if (!base.family().components().contains(c)) {
                throw new InputException("mask entry '" + e.getKey() + "' names no tensor of " + base.location());
            }
            String parameter = MaskKey.parameter(e.getKey());
            ComponentMapping m = base.mapping().component(c);
            TensorMapping t = m.forDiffusers(parameter).orElseThrow(() -> new InputException("mask entry '"
                    + e.getKey() + "' names no tensor of " + base.location()));
            if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new InputException("mask entry '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + " but the checkpoint's tensor has "
                        + Arrays.toString(t.shape()));
            }
            int[] idx = e.getValue().indices();
            for (int i = 0; i < idx.length; i++) {
                idx[i] = Math.toIntExact(t.storedElement(idx[i]));
            }
            out.merge(t.storedName(), new Stored(idx, e.getValue().values()), Stored::merge);
        }
        return out;
    }

    /** Copies the safetensors file and writes the edited elements in the copy before it takes the target's name. */
    private static void editInCopy(Path in, Path out, Map<String, Stored> edits) {
        Map<String, TensorInfo> infos = new HashMap<>();
        try (TensorSource stored = TensorStore.open(in)) {
            edits.keySet().forEach(n -> infos.put(n, stored.info(n)));
        }
        AtomicFiles.writeFile(out, tmp -> {
            AtomicFiles.copyContent(in, tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(head, 0);
                long data = 8 + head.flip().getLong();
                for (Map.Entry<String, Stored> e : edits.entrySet()) {
                    TensorInfo t = infos.get(e.getKey());
                    int size = t.dtype().size();
                    ByteBuffer encoded = WeightEdits.encoded(e.getValue().values(), t.dtype());
                    int[] idx = e.getValue().indices();
                    for (int j = 0; j < idx.length; j++) {
                        ch.write(encoded.slice(j * size, size), data + t.begin() + (long) idx[j] * size);
                    }
                }
                ch.force(true);
            }
        });
    }

    /** Writes every tensor of the checkpoint into a safetensors file, edited ones with their new values. */
    private static void rewrite(SingleFileSource base, Path out, Map<String, Stored> edits) {
        try (TensorSource stored = base.openStored()) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String name : stored.names()) {
                TensorInfo t = stored.info(name);
                ByteBuffer data = stored.bytes(name);
                Stored edit = edits.get(name);
                w.add(name, t.dtype(), t.shape(),
                        edit == null ? data : WeightEdits.applied(data, t.dtype(), edit.indices(), edit.values()));
            }
            w.write(out);
        }
    }
}
