package dev.conceptprune.io;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A safetensors file opened for lazy reading. The header is parsed and fully validated on
 * open; tensor bytes are memory-mapped only when a tensor is read, so multi-gigabyte files
 * cost nothing until used.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Same bound as the reference reader: a header above 100 MB is treated as corrupt. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final int MAX_SHAPE_RANK = 64;
    /** Bytes read to tell what a file that is not safetensors is. */
    private static final int SNIFF_BYTES = 512;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates a file; any violation is a {@link WeightFormatException}. */
    public static SafetensorsFile open(Path path) {
        return WeightChannel.open(path, ch -> readHeader(path, ch));
    }

    private static SafetensorsFile readHeader(Path path, FileChannel ch) {
        try {
            long size = ch.size();
            if (size == 0) {
                throw new WeightFormatException(path, "is empty (0 bytes), not a safetensors file");
            }
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, SNIFF_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, head, 0);
            long headerLen = size < 8 ? -1 : head.getLong(0);
            boolean plausible = headerLen >= 2 && headerLen <= MAX_HEADER_BYTES && 8 + headerLen <= size
                    && head.get(8) == '{';
            if (!plausible) {
                String looksLike = lookalike(head.array());
                if (looksLike != null) {
                    throw new WeightFormatException(path, looksLike);
                }
            }
            if (size < 8) {
                throw new WeightFormatException(path, "file is " + size
                        + " bytes, shorter than the 8-byte header length field (truncated?)");
            }
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new WeightFormatException(path, "header length " + Long.toUnsignedString(headerLen)
                        + " is outside the allowed range 2.." + MAX_HEADER_BYTES);
            }
            if (8 + headerLen > size) {
                throw new WeightFormatException(path, "header length " + headerLen
                        + " runs past the end of the file (" + size + " bytes; truncated?)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            header.flip();
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(header).toString();
            } catch (CharacterCodingException e) {
                throw new WeightFormatException(path, "header is not valid UTF-8");
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, TensorInfo> infos = parseHeader(path, json, dataSize, meta);
            validateLayout(path, infos);
            return new SafetensorsFile(path, ch, dataStart, Collections.unmodifiableMap(infos),
                    Collections.unmodifiableMap(meta));
        } catch (IOException e) {
            throw new WeightFormatException(path, "read error: " + e.getMessage());
        }
    }

    /**
     * What a file that is not safetensors looks like, from its first bytes, or null when it looks like
     * nothing known: users hand over checkpoints, configs and failed downloads where weights belong.
     */
    private static String lookalike(byte[] head) {
        if (startsWith(head, 'P', 'K', 3, 4)) {
            return "is a PyTorch .ckpt (zip) file, not safetensors; convert it to .safetensors";
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            return "is a Python pickle (a legacy PyTorch checkpoint), not safetensors";
        }
        if (startsWith(head, 0x1F, 0x8B)) {
            return "is a gzip file, not safetensors (decompress it first?)";
        }
        if (!isText(head)) {
            return null;
        }
        String text = new String(head, StandardCharsets.UTF_8).stripLeading().replace("\uFEFF", "");
        String lower = text.toLowerCase(Locale.ROOT);
        // Servers answer a failed download with an HTML page, or (object stores) an XML error document.
        if (lower.startsWith("<!doctype html") || lower.contains("<html") || lower.startsWith("<?xml")) {
            return "is an HTML page (a failed download?), not safetensors";
        }
        if (text.startsWith("version https://git-lfs")) {
            return "is a Git LFS pointer, not the weights (fetch them with git lfs pull)";
        }
        if (text.startsWith("{") || text.startsWith("[")) {
            return "is a JSON file, not safetensors";
        }
        return "is a text file, not safetensors";
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** No control bytes but tab, line ends and form feed: what text (in any ASCII-based encoding) looks like. */
    private static boolean isText(byte[] head) {
        for (byte b : head) {
            int v = b & 0xFF;
            if (v < 0x20 && v != '\t' && v != '\n' && v != '\r' && v != '\f' || v == 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String json, long dataSize,
                                                       Map<String, String> meta) {
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        String trimmed = json.stripTrailing();
        if (!trimmed.startsWith("{")) {
            throw new WeightFormatException(path, "header is not a JSON object");
        }
        try (JsonReader r = new JsonReader(new StringReader(trimmed))) {
            r.setStrictness(com.google.gson.Strictness.STRICT);
            r.beginObject();
            boolean seenMeta = false;
            while (r.hasNext()) {
                String name = r.nextName();
                if (name.equals("__metadata__")) {
                    if (seenMeta) {
                        throw new WeightFormatException(path, "duplicate key '__metadata__' in header");
                    }
                    seenMeta = true;
                    readMetadata(path, r, meta);
                    continue;
                }
                if (infos.containsKey(name)) {
                    throw new WeightFormatException(path, "duplicate tensor name '" + name + "' in header");
                }
                infos.put(name, readEntry(path, r, name, dataSize));
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new WeightFormatException(path, "trailing data after the header JSON object");
            }
        } catch (MalformedJsonException | EOFException | IllegalStateException e) {
            throw new WeightFormatException(path, "header is not well-formed JSON: " + firstLine(e.getMessage()));
        } catch (NumberFormatException e) {
            throw new WeightFormatException(path, "header has a malformed number: " + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw new WeightFormatException(path, "header is not well-formed JSON: " + firstLine(e.getMessage()));
        }
        return infos;
    }

    private static void readMetadata(Path path, JsonReader r, Map<String, String> meta) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw new WeightFormatException(path, "'__metadata__' must be an object of strings");
        }
        r.beginObject();
        while (r.hasNext()) {
            String k = r.nextName();
            if (r.peek() != JsonToken.STRING) {
                throw new WeightFormatException(path, "metadata value for '" + k + "' is not a string");
            }
            if (meta.put(k, r.nextString()) != null) {
                throw new WeightFormatException(path, "duplicate metadata key '" + k + "'");
            }
        }
        r.endObject();
    }

    private static TensorInfo readEntry(Path path, JsonReader r, String name, long dataSize) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw new WeightFormatException(path, "tensor '" + name + "': entry is not an object");
        }
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            switch (key) {
                case "dtype" -> {
                    if (r.peek() != JsonToken.STRING) {
                        throw new WeightFormatException(path, "tensor '" + name + "': dtype is not a string");
                    }
                    String d = r.nextString();
                    dtype = DType.parse(d);
                    if (dtype == null) {
                        throw new WeightFormatException(path, "tensor '" + name + "': unknown dtype '" + d + "'");
                    }
                }
                case "shape" -> shape = readLongArray(path, r, name, "shape", -1);
                case "data_offsets" -> offsets = readLongArray(path, r, name, "data_offsets", 2);
                default -> throw new WeightFormatException(path, "tensor '" + name + "': unexpected key '" + key + "'");
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw new WeightFormatException(path, "tensor '" + name + "': entry needs dtype, shape and data_offsets");
        }
        if (offsets[0] > offsets[1]) {
            throw new WeightFormatException(path, "tensor '" + name + "': data_offsets [" + offsets[0] + ", "
                    + offsets[1] + "] end before they begin");
        }
        if (offsets[1] > dataSize) {
            throw new WeightFormatException(path, "tensor '" + name + "': data_offsets end " + offsets[1]
                    + " lies outside the data area of " + dataSize + " bytes (truncated?)");
        }
        long expected;
        try {
            expected = dtype.size();
            for (long d : shape) {
                expected = Math.multiplyExact(expected, d);
            }
        } catch (ArithmeticException e) {
            throw new WeightFormatException(path, "tensor '" + name + "': shape size overflows");
        }
        if (expected != offsets[1] - offsets[0]) {
            throw new WeightFormatException(path, "tensor '" + name + "': byte length " + (offsets[1] - offsets[0])
                    + " does not match dtype " + dtype + " x shape = " + expected + " bytes");
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] readLongArray(Path path, JsonReader r, String name, String key, int exactLength)
            throws IOException {
        if (r.peek() != JsonToken.BEGIN_ARRAY) {
            throw new WeightFormatException(path, "tensor '" + name + "': " + key + " is not an array");
        }
        List<Long> values = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER) {
                throw new WeightFormatException(path, "tensor '" + name + "': " + key + " holds a non-number");
            }
            String text = r.nextString();
            long v;
            try {
                v = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new WeightFormatException(path, "tensor '" + name + "': " + key + " value '" + shorten(text)
                        + "' is not a non-negative 64-bit integer");
            }
            if (v < 0) {
                throw new WeightFormatException(path, "tensor '" + name + "': " + key + " value " + v + " is negative");
            }
            values.add(v);
            if (values.size() > MAX_SHAPE_RANK) {
                throw new WeightFormatException(path, "tensor '" + name + "': " + key + " has more than "
                        + MAX_SHAPE_RANK + " entries");
            }
        }
        r.endArray();
        if (exactLength >= 0 && values.size() != exactLength) {
            throw new WeightFormatException(path, "tensor '" + name + "': " + key + " must have " + exactLength
                    + " entries, has " + values.size());
        }
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static void validateLayout(Path path, Map<String, TensorInfo> infos) {
        List<TensorInfo> byOffset = new ArrayList<>(infos.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo prev = null;
        for (TensorInfo t : byOffset) {
            if (prev != null && t.begin() < prev.end() && t.byteLength() > 0) {
                throw new WeightFormatException(path, "tensors '" + prev.name() + "' and '" + t.name()
                        + "' have overlapping data_offsets");
            }
            if (t.byteLength() > 0) {
                prev = t;
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor entries in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The entry for a tensor, or an error naming the file and the missing tensor. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new WeightFormatException(path, "missing tensor '" + name + "'");
        }
        return t;
    }

    /** The raw little-endian bytes of a tensor, memory-mapped read-only. */
    public ByteBuffer bytes(String name) {
        TensorInfo t = info(name);
        if (t.byteLength() > Integer.MAX_VALUE) {
            throw new WeightFormatException(path, "tensor '" + name + "' is larger than 2 GiB; cannot map it in one piece");
        }
        if (t.byteLength() == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new WeightFormatException(path, "cannot map tensor '" + name + "': " + e.getMessage());
        }
    }

    /** Reads a floating-point tensor as float32 (F16/BF16/F64 converted). */
    public float[] readFloats(String name) {
        TensorInfo t = info(name);
        if (!t.dtype().isFloating()) {
            throw new WeightFormatException(path, "tensor '" + name + "' has dtype " + t.dtype()
                    + ", expected a floating-point type");
        }
        int n = checkedCount(t);
        return Float32.decode(bytes(name), t.dtype(), n);
    }

    /** Reads a floating-point tensor as float64: F64 exactly, the narrower types widened (exact too). */
    public double[] readDoubles(String name) {
        TensorInfo t = info(name);
        if (t.dtype() != DType.F64) {
            float[] narrow = readFloats(name);
            double[] out = new double[narrow.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = narrow[i];
            }
            return out;
        }
        double[] out = new double[checkedCount(t)];
        bytes(name).asDoubleBuffer().get(out);
        return out;
    }

    /** Reads an integer, bool or floating tensor as int64 values. */
    public long[] readLongs(String name) {
        TensorInfo t = info(name);
        int n = checkedCount(t);
        ByteBuffer b = bytes(name);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.dtype()) {
                case I64 -> b.getLong(i * 8);
                case I32 -> b.getInt(i * 4);
                case I16 -> b.getShort(i * 2);
                case I8 -> b.get(i);
                case U8, BOOL -> b.get(i) & 0xff;
                default -> throw new WeightFormatException(path, "tensor '" + name + "' has dtype " + t.dtype()
                        + ", expected an integer type");
            };
        }
        return out;
    }

    private int checkedCount(TensorInfo t) {
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new WeightFormatException(path, "tensor '" + t.name() + "' has " + n
                    + " elements, too many for one array");
        }
        return (int) n;
    }

    @Override
    public void close() {
        WeightChannel.closeQuietly(channel);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new EOFException("unexpected end of file");
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unexpected end";
        }
        int nl = s.indexOf('\n');
        return shorten(nl >= 0 ? s.substring(0, nl) : s);
    }

    private static String shorten(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
