package dev.conceptprune.prune;

import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes an edited copy of a diffusers folder: every file is copied byte for byte except the
 * weight files that hold masked parameters, which are rewritten in their own dtype with the
 * masked entries zeroed. The folder is built under a temporary name and renamed into place,
 * so an interrupted export leaves nothing half-written; the input folder is only read.
 */
public final class PrunedModelWriter {
    private PrunedModelWriter() {
    }

    /** Component and parameter a mask entry addresses. */
    static String[] target(String maskName) {
        return new String[] {MaskKey.component(maskName).folderName(), MaskKey.parameter(maskName)};
    }

    /** Exports {@code base} with {@code mask} applied to {@code out}; refuses an existing {@code out} unless {@code force}. */
    public static void export(DiffusersFolder base, PruneMask mask, Path out, boolean force) {
        OutputLocation.of(out).clearOf("model", base.root()).folder();
        if (Files.exists(out) && !force) {
            throw new InputException(out + " already exists; export with force to replace it");
        }
        Map<Path, Map<String, int[]>> edits = planEdits(base, mask);
        AtomicFiles.writeFolder(out, tmp -> copyTree(base.root(), tmp, edits));
    }

    /** Which weight file holds each masked parameter, with shape checks against the base. */
    private static Map<Path, Map<String, int[]>> planEdits(DiffusersFolder base, PruneMask mask) {
        Map<Path, Map<String, int[]>> edits = new HashMap<>();
        Map<String, List<Path>> filesByComponent = new HashMap<>();
        for (Map.Entry<String, int[]> e : mask.indices().entrySet()) {
            String[] ct = target(e.getKey());
            List<Path> files = filesByComponent.computeIfAbsent(ct[0], base::weightFiles);
            Path holder = null;
            for (Path f : files) {
                try (SafetensorsFile sf = SafetensorsFile.open(f)) {
                    if (sf.has(ct[1])) {
                        holder = f;
                        long[] shape = sf.info(ct[1]).shape();
                        if (!Arrays.equals(shape, mask.shapes().get(e.getKey()))) {
                            throw new InputException("mask entry '" + e.getKey() + "' has shape "
                                    + Arrays.toString(mask.shapes().get(e.getKey())) + " but the model's tensor has "
                                    + Arrays.toString(shape));
                        }
                    }
                }
            }
            if (holder == null) {
                throw new InputException("mask entry '" + e.getKey() + "' names no tensor of the model's "
                        + ct[0]);
            }
            edits.computeIfAbsent(holder.toAbsolutePath().normalize(), k -> new HashMap<>()).put(ct[1], e.getValue());
        }
        return edits;
    }

    private static void copyTree(Path from, Path to, Map<Path, Map<String, int[]>> edits) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = s.sorted().toList();
        }
        for (Path src : all) {
            Path dst = to.resolve(from.relativize(src).toString());
            if (Files.isDirectory(src)) {
                Files.createDirectories(dst);
                continue;
            }
            Map<String, int[]> fileEdits = edits.get(src.toAbsolutePath().normalize());
            if (fileEdits == null) {
                AtomicFiles.copyContent(src, dst);
            } else {
                writeMasked(src, dst, fileEdits);
            }
        }
    }

    private static void writeMasked(Path src, Path dst, Map<String, int[]> fileEdits) {
        try (SafetensorsFile f = SafetensorsFile.open(src)) {
            SafetensorsWriter w = new SafetensorsWriter();
            f.metadata().forEach(w::metadata);
            for (TensorInfo t : f.tensors().values()) {
                ByteBuffer data = f.bytes(t.name());
                int[] zero = fileEdits.get(t.name());
                w.add(t.name(), t.dtype(), t.shape(), zero == null ? data : zeroed(data, zero, t.dtype().size()));
            }
            w.write(dst);
        }
    }

    /** A copy of a tensor's bytes with the elements at {@code indices} zeroed. */
    static ByteBuffer zeroed(ByteBuffer data, int[] indices, int elementSize) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(data.duplicate()).flip();
        for (int i : indices) {
            for (int b = 0; b < elementSize; b++) {
                copy.put(i * elementSize + b, (byte) 0);
            }
        }
        return copy;
    }

    /** Names of the files of {@code root} whose bytes differ from {@code other}'s (for checks and tests). */
    public static Set<String> differingFiles(Path root, Path other) throws IOException {
        Set<String> out = new HashSet<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path q = other.resolve(root.relativize(p).toString());
                if (!Files.exists(q) || Files.mismatch(p, q) != -1) {
                    out.add(root.relativize(p).toString());
                }
            }
        }
        return out;
    }
}
