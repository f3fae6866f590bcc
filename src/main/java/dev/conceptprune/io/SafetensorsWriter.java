package dev.conceptprune.io;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a safetensors file: tensors sorted by element size (largest first) then name, data
 * packed without gaps, header padded with spaces to a multiple of 8 bytes as the reference
 * writer does, written atomically.
 */
public final class SafetensorsWriter {
    private record Entry(String name, DType dtype, long[] shape, ByteBuffer data) {
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** Adds a metadata string. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor from raw little-endian bytes (e.g. a buffer mapped from another file). */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer data) {
        long expected = dtype.size();
        for (long d : shape) {
            expected = Math.multiplyExact(expected, d);
        }
        if (expected != data.remaining()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.remaining()
                    + " bytes given, dtype and shape need " + expected);
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        entries.add(new Entry(name, dtype, shape.clone(), data.slice().order(ByteOrder.LITTLE_ENDIAN)));
        return this;
    }

    /** Adds float32 values stored as {@code dtype} (F32, F16, BF16 or F64). */
    public SafetensorsWriter addFloats(String name, DType dtype, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.size()).order(ByteOrder.LITTLE_ENDIAN);
        Float32.encode(values, dtype, b);
        b.flip();
        return add(name, dtype, shape, b);
    }

    /** Adds an int32 tensor. */
    public SafetensorsWriter addInts(String name, long[] shape, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return add(name, DType.I32, shape, b);
    }

    /** Adds an int64 tensor. */
    public SafetensorsWriter addLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return add(name, DType.I64, shape, b);
    }

    /** Adds a uint8 tensor. */
    public SafetensorsWriter addBytes(String name, DType dtype, long[] shape, byte[] values) {
        return add(name, dtype, shape, ByteBuffer.wrap(values));
    }

    /** Writes the file atomically (temp file in the same directory, then rename). */
    public void write(Path target) {
        AtomicFiles.write(target, this::writeTo);
    }

    private void writeTo(OutputStream out) throws IOException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt((Entry e) -> -e.dtype.size()).thenComparing(Entry::name));
        byte[] header = headerJson(sorted).getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(header);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        out.write(prefix.array());
        WritableByteChannel ch = Channels.newChannel(out);
        for (Entry e : sorted) {
            ByteBuffer d = e.data.duplicate();
            while (d.hasRemaining()) {
                ch.write(d);
            }
        }
        out.flush();
    }

    private String headerJson(List<Entry> sorted) throws IOException {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.beginObject();
            if (!metadata.isEmpty()) {
                w.name("__metadata__").beginObject();
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    w.name(m.getKey()).value(m.getValue());
                }
                w.endObject();
            }
            long offset = 0;
            for (Entry e : sorted) {
                w.name(e.name).beginObject();
                w.name("dtype").value(e.dtype.name());
                w.name("shape").beginArray();
                for (long d : e.shape) {
                    w.value(d);
                }
                w.endArray();
                long end = offset + e.data.remaining();
                w.name("data_offsets").beginArray().value(offset).value(end).endArray();
                w.endObject();
                offset = end;
            }
            w.endObject();
        }
        return sw.toString();
    }
}
