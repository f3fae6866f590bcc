package dev.conceptprune.model;

import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.io.WeightFormatException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of one model component: one safetensors file or several shards, addressed by
 * parameter name.
 */
public final class TensorStore implements TensorSource {
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName;

    private TensorStore(List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.files = files;
        this.byName = byName;
    }

    /** Opens the given files (one, or the shards of a sharded checkpoint). */
    public static TensorStore open(List<Path> paths) {
        List<SafetensorsFile> opened = new ArrayList<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p);
                opened.add(f);
                for (String name : f.tensors().keySet()) {
                    SafetensorsFile prev = byName.put(name, f);
                    if (prev != null) {
                        throw new WeightFormatException(p, "tensor '" + name + "' also appears in " + prev.path());
                    }
                }
            }
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
        return new TensorStore(opened, byName);
    }

    /** Opens a single file. */
    public static TensorStore open(Path path) {
        return open(List.of(path));
    }

    public List<SafetensorsFile> files() {
        return Collections.unmodifiableList(files);
    }

    /** All parameter names, in file and header order. */
    @Override
    public java.util.Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    @Override
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new WeightFormatException(location(), "missing tensor '" + name + "'");
        }
        return f;
    }

    /** The first file, or {@code ?} for an empty store. */
    @Override
    public Path location() {
        return files.isEmpty() ? Path.of("?") : files.get(0).path();
    }

    /** The file that holds a tensor. */
    @Override
    public Path locationOf(String name) {
        return fileOf(name).path();
    }

    @Override
    public TensorInfo info(String name) {
        return fileOf(name).info(name);
    }

    @Override
    public float[] readFloats(String name) {
        return fileOf(name).readFloats(name);
    }

    @Override
    public ByteBuffer bytes(String name) {
        return fileOf(name).bytes(name);
    }


    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
