package dev.conceptprune.model.ckpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.WeightFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipArchiveTest {
    @TempDir
    Path tmp;

    private static byte[] bytesOf(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void readsTorchWrittenEntriesWithDataDescriptorsAndPadding() {
        try (ZipArchive zip = ZipArchive.open(Path.of("src/test/resources/fixtures/tiny-sd1-single/tiny-sd1c.ckpt"))) {
            ZipArchive.Entry version = zip.entries().get("tiny-sd1c/.format_version");
            assertTrue(version.stored());
            assertArrayEquals("1".getBytes(StandardCharsets.US_ASCII), zip.readChecked(version));
            assertEquals(970, zip.entries().size());
        }
    }

    @Test
    void deflatedEntriesInflateAndSliceByRange() throws IOException {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i % 251);
        }
        Path file = new CheckpointZip().deflated().entry("a/data/0", data).write(tmp.resolve("d.zip"));
        try (ZipArchive zip = ZipArchive.open(file)) {
            ZipArchive.Entry e = zip.entries().get("a/data/0");
            assertFalse(e.stored());
            assertTrue(e.compressedSize() < e.size());
            assertArrayEquals(data, zip.readChecked(e));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 500, 510), bytesOf(zip.read(e, 500, 10)));
            WeightFormatException out = assertThrows(WeightFormatException.class, () -> zip.read(e, 99_995, 10));
            assertTrue(out.getMessage().contains("outside"), out.getMessage());
        }
    }

    /** One stored entry with every size and offset saturated and given in Zip64 fields, as multi-GB writers do. */
    @Test
    void zip64DirectoryAndExtraFieldsAreRead() throws IOException {
        byte[] name = "a/data/0".getBytes(StandardCharsets.US_ASCII);
        byte[] data = "zip64!".getBytes(StandardCharsets.US_ASCII);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0).putInt(0)
                .putInt((int) crc.getValue()).putInt(-1).putInt(-1).putShort((short) name.length).putShort((short) 20)
                .put(name).putShort((short) 1).putShort((short) 16).putLong(data.length).putLong(data.length).put(data);
        int cd = b.position();
        b.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0).putInt(0)
                .putInt((int) crc.getValue()).putInt(-1).putInt(-1).putShort((short) name.length).putShort((short) 28)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(-1)
                .put(name).putShort((short) 1).putShort((short) 24)
                .putLong(data.length).putLong(data.length).putLong(0);
        int cdSize = b.position() - cd;
        int zip64End = b.position();
        b.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(1).putLong(1).putLong(cdSize).putLong(cd);
        b.putInt(0x07064b50).putInt(0).putLong(zip64End).putInt(1);
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1).putShort((short) -1)
                .putInt(-1).putInt(-1).putShort((short) 0);
        Path file = Files.write(tmp.resolve("z64.zip"), java.util.Arrays.copyOf(b.array(), b.position()));
        try (ZipArchive zip = ZipArchive.open(file)) {
            ZipArchive.Entry e = zip.entries().get("a/data/0");
            assertEquals(data.length, e.size());
            assertEquals(0, e.localHeaderOffset());
            assertArrayEquals(data, zip.readChecked(e));
        }
    }

    @Test
    void corruptEntryFailsItsCrc() throws IOException {
        byte[] payload = "0123456789".getBytes(StandardCharsets.US_ASCII);
        Path file = new CheckpointZip().entry("a/data.pkl", payload).write(tmp.resolve("c.zip"));
        byte[] all = Files.readAllBytes(file);
        int at = new String(all, StandardCharsets.ISO_8859_1).indexOf("0123456789");
        all[at + 3] ^= 1;
        Files.write(file, all);
        try (ZipArchive zip = ZipArchive.open(file)) {
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> zip.readChecked(zip.entries().get("a/data.pkl")));
            assertTrue(e.getMessage().contains("CRC-32"), e.getMessage());
        }
    }

    @Test
    void unsupportedCompressionIsRefused() throws IOException {
        Path file = new CheckpointZip().entry("a/data.pkl", new byte[] {1, 2, 3}).write(tmp.resolve("m.zip"));
        byte[] all = Files.readAllBytes(file);
        int cd = new String(all, StandardCharsets.ISO_8859_1).indexOf("PK\u0001\u0002");
        all[cd + 10] = 14;
        Files.write(file, all);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> ZipArchive.open(file).close());
        assertTrue(e.getMessage().contains("compression method 14"), e.getMessage());
    }
}
