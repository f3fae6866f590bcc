package dev.conceptprune.model.ckpt;

import dev.conceptprune.io.WeightChannel;
import dev.conceptprune.io.WeightFormatException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A zip archive read from its central directory (Zip64 included), so that a stored entry of a
 * multi-gigabyte checkpoint can be memory-mapped where it lies instead of being copied.
 * {@code java.util.zip.ZipFile} hides where an entry's bytes begin, which mapping needs.
 */
final class ZipArchive implements AutoCloseable {
    /** One central-directory record. Sizes and offsets are in bytes. */
    record Entry(String name, int method, long crc, long compressedSize, long size, long localHeaderOffset) {
        boolean stored() {
            return method == METHOD_STORED;
        }
    }

    static final int METHOD_STORED = 0;
    static final int METHOD_DEFLATED = 8;

    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int EOCD_SIZE = 22;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_LOCATOR_SIZE = 20;
    private static final int ZIP64_EOCD_SIGNATURE = 0x06064b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int CENTRAL_SIZE = 46;
    private static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int LOCAL_SIZE = 30;
    private static final int ZIP64_EXTRA_ID = 0x0001;
    private static final int FLAG_ENCRYPTED = 1;
    private static final int FLAG_UTF8 = 1 << 11;
    private static final long MAX_CENTRAL_DIRECTORY = 256L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final long fileSize;
    private final Map<String, Entry> entries;

    private ZipArchive(Path path, FileChannel channel, long fileSize, Map<String, Entry> entries) {
        this.path = path;
        this.channel = channel;
        this.fileSize = fileSize;
        this.entries = entries;
    }

    /** Opens a file and reads its central directory; a file that is no complete zip is refused. */
    static ZipArchive open(Path path) {
        return WeightChannel.open(path, ch -> {
            long size = ch.size();
            return new ZipArchive(path, ch, size, readCentralDirectory(path, ch, size));
        });
    }

    /** True when the file starts like a zip archive (a local file header). */
    static boolean looksLikeZip(byte[] head) {
        return head.length >= 4 && le32(head, 0) == LOCAL_SIGNATURE;
    }

    Path path() {
        return path;
    }

    /** Entries by name, in central-directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    /**
     * The bytes of an entry: memory-mapped read-only when stored (not checked: see
     * {@link #verify}), inflated onto the heap and CRC-checked when deflated. Little-endian.
     */
    ByteBuffer read(Entry e) {
        return read(e, 0, e.size());
    }

    /** Bytes {@code [offset, offset + length)} of an entry's uncompressed content. */
    ByteBuffer read(Entry e, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > e.size()) {
            throw entryError(path, e.name(), ": range " + offset + "+" + length
                    + " lies outside its " + e.size() + " bytes");
        }
        if (length > Integer.MAX_VALUE) {
            throw entryError(path, e.name(), ": " + length
                    + " bytes are more than 2 GiB; cannot read them in one piece");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            long data = dataStart(e);
            if (e.stored()) {
                return channel.map(FileChannel.MapMode.READ_ONLY, data + offset, length).order(ByteOrder.LITTLE_ENDIAN);
            }
            ByteBuffer all = inflate(e, data);
            return all.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw entryError(path, e.name(), ": read error: " + ex.getMessage());
        }
    }

    /** The whole entry copied onto the heap, its CRC-32 checked. */
    byte[] readChecked(Entry e) {
        verify(e);
        ByteBuffer b = read(e);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /**
     * Checks a stored entry's CRC-32 over its mapped bytes, in pieces of at most 1 GiB, so that a
     * damaged download is refused instead of read as weights. Deflated entries are checked on
     * every inflation instead.
     */
    void verify(Entry e) {
        if (!e.stored()) {
            return;
        }
        CRC32 crc = new CRC32();
        long piece = 1L << 30;
        for (long at = 0; at < e.size(); at += piece) {
            crc.update(read(e, at, Math.min(piece, e.size() - at)));
        }
        checkCrc(e, crc.getValue());
    }

    private void checkCrc(Entry e, long crc) {
        if (crc != e.crc()) {
            throw entryError(path, e.name(), " fails its CRC-32 check (corrupt or damaged archive)");
        }
    }

    private long dataStart(Entry e) throws IOException {
        ByteBuffer local = readAt(channel, e.localHeaderOffset(), LOCAL_SIZE);
        if (local.getInt(0) != LOCAL_SIGNATURE) {
            throw entryError(path, e.name(), ": no local file header at offset "
                    + e.localHeaderOffset() + " (corrupt archive)");
        }
        long start = e.localHeaderOffset() + LOCAL_SIZE + u16(local, 26) + u16(local, 28);
        if (start + e.compressedSize() > fileSize) {
            throw entryError(path, e.name(), " runs past the end of the file (truncated?)");
        }
        return start;
    }

    private ByteBuffer inflate(Entry e, long data) throws IOException {
        if (e.compressedSize() > Integer.MAX_VALUE || e.size() > Integer.MAX_VALUE - 8) {
            throw entryError(path, e.name(), ": deflated entries above 2 GiB are not supported");
        }
        ByteBuffer in = channel.map(FileChannel.MapMode.READ_ONLY, data, e.compressedSize());
        byte[] out = new byte[(int) e.size()];
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(in);
            int n = 0;
            while (n < out.length) {
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != out.length) {
                throw entryError(path, e.name(), " inflates to " + n
                        + " bytes, its directory says " + e.size() + " (corrupt archive)");
            }
        } catch (DataFormatException ex) {
            throw entryError(path, e.name(), " is not valid deflate data: " + ex.getMessage());
        } finally {
            inflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(out);
        checkCrc(e, crc.getValue());
        return ByteBuffer.wrap(out);
    }

    private static Map<String, Entry> readCentralDirectory(Path path, FileChannel ch, long size) throws IOException {
        long eocd = findEndRecord(path, ch, size);
        ByteBuffer end = readAt(ch, eocd, EOCD_SIZE);
        long count = u16(end, 10);
        long cdSize = u32(end, 12);
        long cdOffset = u32(end, 16);
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            ByteBuffer zip64 = readZip64End(path, ch, eocd);
            count = zip64.getLong(32);
            cdSize = zip64.getLong(40);
            cdOffset = zip64.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > eocd) {
            throw new WeightFormatException(path, "zip central directory (offset " + cdOffset + ", " + cdSize
                    + " bytes) lies outside the file (truncated or corrupt archive)");
        }
        if (cdSize > MAX_CENTRAL_DIRECTORY) {
            throw new WeightFormatException(path, "zip central directory of " + cdSize + " bytes is implausibly large");
        }
        ByteBuffer cd = readAt(ch, cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int pos = 0;
        for (long i = 0; i < count; i++) {
            Entry e = readCentralEntry(path, cd, pos, cdOffset);
            pos += CENTRAL_SIZE + u16(cd, pos + 28) + u16(cd, pos + 30) + u16(cd, pos + 32);
            if (e.localHeaderOffset() + LOCAL_SIZE > cdOffset) {
                throw entryError(path, e.name(), " starts past the entries area (corrupt archive)");
            }
            if (entries.put(e.name(), e) != null) {
                throw entryError(path, e.name(), " appears twice");
            }
        }
        return Collections.unmodifiableMap(entries);
    }

    private static Entry readCentralEntry(Path path, ByteBuffer cd, int pos, long cdOffset) {
        if (pos + CENTRAL_SIZE > cd.limit() || cd.getInt(pos) != CENTRAL_SIGNATURE) {
            throw new WeightFormatException(path, "zip central directory record at offset " + (cdOffset + pos)
                    + " is malformed (corrupt archive)");
        }
        int flags = u16(cd, pos + 8);
        int method = u16(cd, pos + 10);
        long crc = u32(cd, pos + 16);
        long csize = u32(cd, pos + 20);
        long usize = u32(cd, pos + 24);
        int nameLen = u16(cd, pos + 28);
        int extraLen = u16(cd, pos + 30);
        long local = u32(cd, pos + 42);
        int nameAt = pos + CENTRAL_SIZE;
        if (nameAt + nameLen + extraLen > cd.limit()) {
            throw new WeightFormatException(path, "zip central directory record at offset " + (cdOffset + pos)
                    + " runs past the directory (corrupt archive)");
        }
        byte[] nameBytes = new byte[nameLen];
        cd.get(nameAt, nameBytes);
        String name = new String(nameBytes,
                (flags & FLAG_UTF8) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        long[] sizes = {usize, csize, local};
        applyZip64Extra(path, name, cd, nameAt + nameLen, extraLen, sizes);
        if (sizes[0] < 0 || sizes[1] < 0 || sizes[2] < 0) {
            throw entryError(path, name, ": Zip64 size or offset above 2^63 (corrupt archive)");
        }
        if ((flags & FLAG_ENCRYPTED) != 0) {
            throw entryError(path, name, " is encrypted");
        }
        if (method != METHOD_STORED && method != METHOD_DEFLATED) {
            throw entryError(path, name, " uses compression method " + method
                    + "; only stored (0) and deflated (8) are supported");
        }
        if (method == METHOD_STORED && sizes[0] != sizes[1]) {
            throw entryError(path, name, " has compressed size " + sizes[1]
                    + " but size " + sizes[0] + " (corrupt archive)");
        }
        return new Entry(name, method, crc, sizes[1], sizes[0], sizes[2]);
    }

    /** Replaces the 32-bit fields saturated at 0xffffffff by the Zip64 extra field's values, in its order. */
    private static void applyZip64Extra(Path path, String name, ByteBuffer cd, int at, int len, long[] sizes) {
        int end = at + len;
        while (at + 4 <= end) {
            int id = u16(cd, at);
            int size = u16(cd, at + 2);
            if (id == ZIP64_EXTRA_ID) {
                int p = at + 4;
                for (int k = 0; k < sizes.length; k++) {
                    if (sizes[k] == 0xffffffffL) {
                        if (p + 8 > at + 4 + size) {
                            throw entryError(path, name, ": Zip64 extra field is too short");
                        }
                        sizes[k] = cd.getLong(p);
                        p += 8;
                    }
                }
                return;
            }
            at += 4 + size;
        }
    }

    /** An error about one entry: "zip entry 'name' ..." after the file name. */
    private static WeightFormatException entryError(Path path, String name, String rule) {
        return new WeightFormatException(path, "zip entry " + MessageText.quote(name) + rule);
    }

    private static long findEndRecord(Path path, FileChannel ch, long size) throws IOException {
        int window = (int) Math.min(size, EOCD_SIZE + 0xffffL);
        if (window < EOCD_SIZE) {
            throw new WeightFormatException(path, "file is " + size
                    + " bytes, too short for a zip archive (truncated?)");
        }
        ByteBuffer tail = readAt(ch, size - window, window);
        for (int i = window - EOCD_SIZE; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIGNATURE && i + EOCD_SIZE + u16(tail, i + 20) == window) {
                return size - window + i;
            }
        }
        throw new WeightFormatException(path,
                "no zip end-of-central-directory record: the archive is truncated or not a zip file");
    }

    private static ByteBuffer readZip64End(Path path, FileChannel ch, long eocd) throws IOException {
        if (eocd < ZIP64_LOCATOR_SIZE) {
            throw new WeightFormatException(path, "Zip64 archive without its locator record (corrupt archive)");
        }
        ByteBuffer locator = readAt(ch, eocd - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
        if (locator.getInt(0) != ZIP64_LOCATOR_SIGNATURE) {
            throw new WeightFormatException(path, "Zip64 archive without its locator record (corrupt archive)");
        }
        long at = locator.getLong(8);
        if (at < 0 || at + 56 > eocd) {
            throw new WeightFormatException(path, "Zip64 end record offset " + at
                    + " lies outside the file (corrupt archive)");
        }
        ByteBuffer rec = readAt(ch, at, 56);
        if (rec.getInt(0) != ZIP64_EOCD_SIGNATURE) {
            throw new WeightFormatException(path, "no Zip64 end record at offset " + at + " (corrupt archive)");
        }
        return rec;
    }

    private static ByteBuffer readAt(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new EOFException("unexpected end of file");
            }
        }
        return b.flip();
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xffff;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffffffffL;
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    @Override
    public void close() {
        WeightChannel.closeQuietly(channel);
    }
}
