package dev.conceptprune.model.ckpt;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes a torch-style checkpoint archive: {@code <name>/data.pkl}, {@code <name>/data/N} storages. */
final class CheckpointZip {
    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private boolean deflate;

    CheckpointZip pickle(byte[] data) {
        return entry("archive/data.pkl", data);
    }

    CheckpointZip storage(String key, byte[] data) {
        return entry("archive/data/" + key, data);
    }

    CheckpointZip entry(String name, byte[] data) {
        entries.put(name, data);
        return this;
    }

    /** Compress every entry (torch stores them; other writers may not). */
    CheckpointZip deflated() {
        deflate = true;
        return this;
    }

    Path write(Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                if (!deflate) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    z.setMethod(ZipEntry.STORED);
                    z.setSize(e.getValue().length);
                    z.setCompressedSize(e.getValue().length);
                    z.setCrc(crc.getValue());
                }
                zip.putNextEntry(z);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }
}
