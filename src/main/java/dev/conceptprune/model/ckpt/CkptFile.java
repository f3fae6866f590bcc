package dev.conceptprune.model.ckpt;

import dev.conceptprune.model.TensorSource;
import dev.conceptprune.io.DType;
import dev.conceptprune.io.Float32;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.io.WeightFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A legacy PyTorch checkpoint ({@code .ckpt}/{@code .pt}: what {@code torch.save} writes, a zip
 * archive holding {@code <name>/data.pkl} and one entry per storage), read without executing
 * anything: the pickle runs on {@link RestrictedUnpickler}, which refuses every global outside
 * the tensor allow-list. The weights are the top-level {@code "state_dict"} when there is one,
 * else the tensors of the top-level dict. Tensor bytes stay in the archive until read; stored
 * entries are memory-mapped, so multi-gigabyte files cost nothing on open.
 */
public final class CkptFile implements TensorSource {
    /** A pickle above this is no state dict; refusing it bounds what a hostile file can allocate. */
    static final long MAX_PICKLE_BYTES = 512L * 1024 * 1024;
    private static final String STATE_DICT = "state_dict";
    private static final String REMEDY =
            "re-save it with a current PyTorch (torch.save, zip format) or convert it to .safetensors";

    private final ZipArchive zip;
    private final Map<String, CkptTensor> tensors;
    private final Map<String, Object> values;
    private final List<String> otherEntries;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();

    private CkptFile(ZipArchive zip, Map<String, CkptTensor> tensors, Map<String, Object> values,
                     List<String> otherEntries) {
        this.zip = zip;
        this.tensors = tensors;
        this.values = values;
        this.otherEntries = otherEntries;
    }

    /** Opens and checks a checkpoint; anything it cannot read safely is a {@link WeightFormatException}. */
    public static CkptFile open(Path path) {
        refuseNonZip(path, head(path));
        ZipArchive zip = ZipArchive.open(path);
        try {
            return read(zip);
        } catch (RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static CkptFile read(ZipArchive zip) {
        Path path = zip.path();
        ZipArchive.Entry pickle = pickleEntry(zip);
        String prefix = pickle.name().substring(0, pickle.name().indexOf('/') + 1);
        ZipArchive.Entry order = zip.entries().get(prefix + "byteorder");
        if (order != null) {
            String o = new String(zip.readChecked(order), StandardCharsets.US_ASCII).strip();
            if (!o.equals("little")) {
                throw new WeightFormatException(path, "checkpoint was saved with byte order " + MessageText.quote(o)
                        + "; only little-endian checkpoints are supported");
            }
        }
        if (pickle.size() > MAX_PICKLE_BYTES) {
            throw new WeightFormatException(path, pickle.name() + " is " + pickle.size()
                    + " bytes, more than a state dict's pickle can be");
        }
        Object top = RestrictedUnpickler.load(path, pickle.name(), zip.readChecked(pickle));
        if (!(top instanceof Map<?, ?> dict)) {
            throw new WeightFormatException(path, "checkpoint holds " + MessageText.describe(top)
                    + ", not a dict of tensors");
        }
        Map<?, ?> weights = dict;
        if (dict.get(STATE_DICT) instanceof Map<?, ?> sd) {
            weights = sd;
        }
        Map<String, CkptTensor> tensors = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> others = new ArrayList<>();
        for (Map.Entry<?, ?> e : weights.entrySet()) {
            boolean tensor = e.getValue() instanceof TensorRef;
            if (!tensor && weights == dict) {
                continue;
            }
            if (!(e.getKey() instanceof String name)) {
                throw new WeightFormatException(path, "state dict key " + MessageText.describe(e.getKey())
                        + " is not a string");
            }
            if (!tensor) {
                throw new WeightFormatException(path, "state dict entry " + MessageText.quote(name) + " is "
                        + MessageText.describe(e.getValue()) + ", not a tensor");
            }
            tensors.put(name, check(zip, prefix, name, (TensorRef) e.getValue()));
        }
        if (tensors.isEmpty()) {
            throw new WeightFormatException(path, "checkpoint holds no tensors (top-level keys: "
                    + String.join(", ", keys(dict)) + ")");
        }
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            Object v = e.getValue();
            if (v == weights || (weights == dict && v instanceof TensorRef)) {
                continue;
            }
            String key = e.getKey() instanceof String k ? k : MessageText.describe(e.getKey());
            if (RestrictedUnpickler.isScalar(v)) {
                values.put(key, v);
            } else {
                others.add(key);
            }
        }
        return new CkptFile(zip, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(values),
                Collections.unmodifiableList(others));
    }

    /** Checks a tensor against its storage: matching dtype, contiguous row-major, inside the entry. */
    private static CkptTensor check(ZipArchive zip, String prefix, String name, TensorRef t) {
        Path path = zip.path();
        StorageRef s = t.storage();
        String where = "tensor " + MessageText.quote(name);
        long expected = 1;
        for (int i = t.shape().length - 1; i >= 0; i--) {
            long size = t.shape()[i];
            if (size < 0) {
                throw new WeightFormatException(path, where + " has negative size " + size);
            }
            if (size != 1 && t.stride()[i] != expected) {
                throw new WeightFormatException(path, where + " has shape " + Arrays.toString(t.shape())
                        + " with stride " + Arrays.toString(t.stride())
                        + ": not contiguous row-major, which is the only layout supported");
            }
            try {
                expected = Math.multiplyExact(expected, size);
            } catch (ArithmeticException e) {
                throw new WeightFormatException(path, where + ": shape size overflows");
            }
        }
        long count = expected;
        if (t.storageOffset() < 0 || t.storageOffset() > s.elementCount() - count) {
            throw new WeightFormatException(path, where + " covers elements " + t.storageOffset() + "+" + count
                    + " of storage " + MessageText.quote(s.key()) + ", which has " + s.elementCount());
        }
        String entryName = prefix + "data/" + s.key();
        ZipArchive.Entry entry = zip.entries().get(entryName);
        if (entry == null) {
            throw new WeightFormatException(path, where + ": storage entry " + MessageText.quote(entryName)
                    + " is missing");
        }
        DType dtype = s.dtype();
        long storageBytes;
        try {
            storageBytes = Math.multiplyExact(s.elementCount(), dtype.size());
        } catch (ArithmeticException e) {
            throw new WeightFormatException(path, where + ": storage size overflows");
        }
        if (entry.size() != storageBytes) {
            throw new WeightFormatException(path, "storage entry " + MessageText.quote(entryName) + " is "
                    + entry.size()
                    + " bytes, its " + s.elementCount() + " " + dtype + " elements need " + storageBytes);
        }
        return new CkptTensor(name, dtype, t.shape().clone(), entryName, t.storageOffset() * dtype.size(),
                count * dtype.size());
    }

    private static ZipArchive.Entry pickleEntry(ZipArchive zip) {
        List<ZipArchive.Entry> found = new ArrayList<>();
        boolean torchScript = false;
        for (ZipArchive.Entry e : zip.entries().values()) {
            int slash = e.name().indexOf('/');
            if (slash > 0 && e.name().indexOf('/', slash + 1) < 0) {
                String file = e.name().substring(slash + 1);
                if (file.equals("data.pkl")) {
                    found.add(e);
                }
                torchScript |= file.equals("constants.pkl");
            }
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.size() > 1) {
            throw new WeightFormatException(zip.path(), "zip archive holds " + found.size()
                    + " '<name>/data.pkl' records; a PyTorch checkpoint has one");
        }
        throw new WeightFormatException(zip.path(), torchScript
                ? "this is a TorchScript archive (constants.pkl, no data.pkl), not a saved state dict"
                : "zip archive without '<name>/data.pkl': not a PyTorch checkpoint");
    }

    /** The first bytes of the file, enough to tell the formats apart. */
    private static byte[] head(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(512);
        } catch (NoSuchFileException e) {
            throw new WeightFormatException(path, "file not found");
        } catch (IOException e) {
            throw new WeightFormatException(path, "cannot open: " + e.getMessage());
        }
    }

    /** Refuses, with what the file is, the older torch formats and other files given as a checkpoint. */
    private static void refuseNonZip(Path path, byte[] head) {
        if (ZipArchive.looksLikeZip(head)) {
            return;
        }
        if (head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            throw new WeightFormatException(path, "legacy PyTorch tar checkpoint (torch before 0.4): not supported; "
                    + REMEDY);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] <= 5) {
            throw new WeightFormatException(path, startsWithLegacyMagic(head)
                    ? "legacy non-zip PyTorch checkpoint (torch before 1.6, or saved with"
                            + " _use_new_zipfile_serialization=False): not supported; " + REMEDY
                    : "a bare pickle stream, not a PyTorch zip checkpoint: not supported; " + REMEDY);
        }
        if (head.length >= 9 && head[8] == '{') {
            throw new WeightFormatException(path, "this looks like a safetensors file, not a PyTorch checkpoint;"
                    + " give it a .safetensors name");
        }
        throw new WeightFormatException(path, head.length < 4
                ? "file is " + head.length + " bytes, too short for a PyTorch checkpoint"
                : "not a PyTorch checkpoint (no zip archive signature)");
    }

    /** The pickled magic number (0x1950a86a20f9469cfc6c as LONG1) that starts torch's pre-zip format. */
    private static boolean startsWithLegacyMagic(byte[] head) {
        byte[] magic = {(byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8,
                0x50, 0x19};
        return head.length >= 2 + magic.length
                && Arrays.equals(head, 2, 2 + magic.length, magic, 0, magic.length);
    }

    @Override
    public Path location() {
        return zip.path();
    }


    /** Tensor names in the order the state dict lists them. */
    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The checked tensor entry, or an error naming the file and the missing tensor. */
    public CkptTensor tensor(String name) {
        CkptTensor t = tensors.get(name);
        if (t == null) {
            throw new WeightFormatException(location(), "missing tensor " + MessageText.quote(name));
        }
        return t;
    }

    /** Name, dtype and shape as for a safetensors entry (offsets relative to the storage entry). */
    @Override
    public TensorInfo info(String name) {
        return tensor(name).info();
    }

    /**
     * The raw little-endian bytes of a tensor; memory-mapped when its entry is stored. The first
     * read of each storage entry checks its CRC-32.
     */
    @Override
    public ByteBuffer bytes(String name) {
        CkptTensor t = tensor(name);
        ZipArchive.Entry entry = zip.entries().get(t.entry());
        if (!verified.contains(entry.name())) {
            zip.verify(entry);
            verified.add(entry.name());
        }
        return zip.read(entry, t.byteOffset(), t.byteLength());
    }

    /** Reads a floating-point tensor as float32 (F16/BF16/F64 converted). */
    @Override
    public float[] readFloats(String name) {
        CkptTensor t = tensor(name);
        if (!t.dtype().isFloating()) {
            throw new WeightFormatException(location(), "tensor " + MessageText.quote(name) + " has dtype " + t.dtype()
                    + ", expected a floating-point type");
        }
        if (t.elementCount() > Integer.MAX_VALUE - 8) {
            throw new WeightFormatException(location(), "tensor " + MessageText.quote(name) + " has " + t.elementCount()
                    + " elements, too many for one array");
        }
        return Float32.decode(bytes(name), t.dtype(), (int) t.elementCount());
    }

    /**
     * The top-level entries that are plain values ({@code global_step}, {@code epoch}, ...):
     * {@code Long}, {@code Double}, {@code Boolean}, {@code String} or null.
     */
    public Map<String, Object> values() {
        return values;
    }

    /** Top-level keys that are neither the weights nor plain values (optimizer states, callbacks...). */
    public List<String> otherEntries() {
        return otherEntries;
    }

    @Override
    public void close() {
        zip.close();
    }

    private static List<String> keys(Map<?, ?> dict) {
        List<String> out = new ArrayList<>();
        for (Object k : dict.keySet()) {
            out.add(k instanceof String s ? MessageText.quote(s) : MessageText.describe(k));
            if (out.size() == 10) {
                out.add("...");
                break;
            }
        }
        return out;
    }
}
