package dev.conceptprune.prune;

import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * weight files that hold edited parameters, which are rewritten with the edited entries' new
 * values encoded in each tensor's own dtype. The folder is built under a temporary name and renamed into place,
 * so an interrupted export leaves nothing half-written; the input folder is only read.
 */
public final class PrunedModelWriter {
    private PrunedModelWriter() {
    }

    /** Component and parameter a mask key addresses. */
    static String[] target(String maskName) {
        return new String[] {MaskKey.component(maskName).folderName(), MaskKey.parameter(maskName)};
    }

    /** Exports {@code base} with {@code edits} applied to {@code out}; refuses an existing {@code out} unless {@code force}. */
    public static void export(DiffusersFolder base, WeightEdits edits, Path out, boolean force) {
        OutputLocation.of(out).clearOf("model", base.root()).folder();
        if (Files.exists(out) && !force) {
            throw new InputException(out + " already exists; export with force to replace it");
        }
        Map<Path, Map<String, WeightEdits.Edit>> plan = planEdits(base, edits);
        AtomicFiles.writeFolder(out, tmp -> copyTree(base.root(), tmp, plan));
    }

    /** Which weight file holds each edited parameter, with shape checks against the base. */
    private static Map<Path, Map<String, WeightEdits.Edit>> planEdits(DiffusersFolder base, WeightEdits edits) {
        Map<Path, Map<String, WeightEdits.Edit>> plan = new HashMap<>();
        Map<String, List<Path>> filesByComponent = new HashMap<>();
        for (Map.Entry<String, WeightEdits.Edit> e : edits.edits().entrySet()) {
            String[] ct = target(e.getKey());
            List<Path> files = filesByComponent.computeIfAbsent(ct[0], base::weightFiles);
            Path holder = null;
            for (Path f : files) {
                try (SafetensorsFile sf = SafetensorsFile.open(f)) {
                    if (sf.has(ct[1])) {
                        holder = f;
                        long[] shape = sf.info(ct[1]).shape();
                        if (!Arrays.equals(shape, e.getValue().shape())) {
                            throw new InputException("mask entry '" + e.getKey() + "' has shape "
                                    + Arrays.toString(e.getValue().shape()) + " but the model's tensor has "
                                    + Arrays.toString(shape));
                        }
                    }
                }
            }
            if (holder == null) {
                throw new InputException("mask entry '" + e.getKey() + "' names no tensor of the model's "
                        + ct[0]);
            }
            plan.computeIfAbsent(holder.toAbsolutePath().normalize(), k -> new HashMap<>()).put(ct[1], e.getValue());
        }
        return plan;
    }

    private static void copyTree(Path from, Path to, Map<Path, Map<String, WeightEdits.Edit>> edits)
            throws IOException {
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
            Map<String, WeightEdits.Edit> fileEdits = edits.get(src.toAbsolutePath().normalize());
            if (fileEdits == null) {
                AtomicFiles.copyContent(src, dst);
            } else {
                writeEdited(src, dst, fileEdits);
            }
        }
    }

    private static void writeEdited(Path src, Path dst, Map<String, WeightEdits.Edit> fileEdits) {
        try (SafetensorsFile f = SafetensorsFile.open(src)) {
            SafetensorsWriter w = new SafetensorsWriter();
            f.metadata().forEach(w::metadata);
            for (TensorInfo t : f.tensors().values()) {
                ByteBuffer data = f.bytes(t.name());
                WeightEdits.Edit edit = fileEdits.get(t.name());
                w.add(t.name(), t.dtype(), t.shape(),
                        edit == null ? data : WeightEdits.applied(data, t.dtype(), edit.indices(), edit.values()));
            }
            w.write(dst);
        }
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
