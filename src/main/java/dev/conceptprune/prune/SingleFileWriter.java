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
 * only the pruned elements are zeroed in place (same tensor names, dtypes, shapes, order and
 * {@code __metadata__}); a legacy {@code .ckpt} becomes a {@code .safetensors} file of the same
 * tensors. Masks name parameters by their diffusers names; the file's own names come from the
 * source's mapping. Written under a temporary name and renamed.
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

    /** Writes {@code base} with {@code mask} applied to the file {@code out}; an existing one needs {@code force}. */
    public static void export(SingleFileSource base, PruneMask mask, Path out, boolean force) {
        OutputLocation.of(out).clearOf("model", base.location()).file(".safetensors", "safetensors");
        if (Files.exists(out) && !force) {
            throw new InputException(out + " already exists; export with force to replace it");
        }
        Map<String, int[]> zeroed = storedEdits(base, mask);
        if (outputName(base).equals(base.location().getFileName().toString())) {
            zeroInCopy(base.location(), out, zeroed);
        } else {
            rewrite(base, out, zeroed);
        }
    }

    /** Stored tensor name -> flat indices to zero, each mask entry checked against the file. */
    private static Map<String, int[]> storedEdits(SingleFileSource base, PruneMask mask) {
        Map<String, int[]> out = new HashMap<>();
        for (Map.Entry<String, int[]> e : mask.indices().entrySet()) {
            Component c = MaskKey.component(e.getKey());
            if (!base.family().components().contains(c)) {
                throw new InputException("mask entry '" + e.getKey() + "' names no tensor of " + base.location());
            }
            String parameter = MaskKey.parameter(e.getKey());
            ComponentMapping m = base.mapping().component(c);
            TensorMapping t = m.forDiffusers(parameter).orElseThrow(() -> new InputException("mask entry '"
                    + e.getKey() + "' names no tensor of " + base.location()));
            if (!Arrays.equals(t.shape(), mask.shapes().get(e.getKey()))) {
                throw new InputException("mask entry '" + e.getKey() + "' has shape "
                        + Arrays.toString(mask.shapes().get(e.getKey())) + " but the checkpoint's tensor has "
                        + Arrays.toString(t.shape()));
            }
            int[] idx = e.getValue().clone();
            for (int i = 0; i < idx.length; i++) {
                idx[i] = Math.toIntExact(t.storedElement(idx[i]));
            }
            out.merge(t.storedName(), idx, SingleFileWriter::concat);
        }
        return out;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Copies the safetensors file and zeroes the edited elements in the copy before it takes the target's name. */
    private static void zeroInCopy(Path in, Path out, Map<String, int[]> zeroed) {
        Map<String, TensorInfo> infos = new HashMap<>();
        try (TensorSource stored = TensorStore.open(in)) {
            zeroed.keySet().forEach(n -> infos.put(n, stored.info(n)));
        }
        AtomicFiles.writeFile(out, tmp -> {
            AtomicFiles.copyContent(in, tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(head, 0);
                long data = 8 + head.flip().getLong();
                for (Map.Entry<String, int[]> e : zeroed.entrySet()) {
                    TensorInfo t = infos.get(e.getKey());
                    ByteBuffer zeros = ByteBuffer.allocate(t.dtype().size());
                    for (int i : e.getValue()) {
                        ch.write(zeros.clear(), data + t.begin() + (long) i * t.dtype().size());
                    }
                }
                ch.force(true);
            }
        });
    }

    /** Writes every tensor of the checkpoint into a safetensors file, edited ones zeroed. */
    private static void rewrite(SingleFileSource base, Path out, Map<String, int[]> zeroed) {
        try (TensorSource stored = base.openStored()) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String name : stored.names()) {
                TensorInfo t = stored.info(name);
                ByteBuffer data = stored.bytes(name);
                int[] zero = zeroed.get(name);
                w.add(name, t.dtype(), t.shape(),
                        zero == null ? data : PrunedModelWriter.zeroed(data, zero, t.dtype().size()));
            }
            w.write(out);
        }
    }
}
