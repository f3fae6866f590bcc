package dev.conceptprune.prune;

import dev.conceptprune.io.DType;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.WeightFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The statistics of a discovery after each finished batch of prompts, so that a killed run
 * resumes where it stopped. The sums are stored in float64, exactly, and the remaining prompts
 * are added in the same order, so a resumed run yields the same statistics (and mask) as one
 * that was never interrupted. A checkpoint made with other settings is ignored.
 */
public final class DiscoveryCheckpoint {
    private final Path file;
    private final String key;

    /** @param key identifies the settings (model, site, prompts, sampler); only a matching checkpoint resumes */
    public DiscoveryCheckpoint(Path file, String key) {
        this.file = file;
        this.key = key;
    }

    /** Saves the statistics after {@code jobsDone} prompts, atomically. */
    public void save(int jobsDone, ColumnNorms base, ColumnNorms target) {
        SafetensorsWriter w = new SafetensorsWriter().metadata("key", key).metadata("jobs_done", String.valueOf(jobsDone));
        put(w, "base", base);
        put(w, "target", target);
        w.write(file);
    }

    /**
     * Restores statistics into {@code base} and {@code target} (freshly made, same shape) and returns the
     * number of prompts already done, or 0 when there is no matching checkpoint.
     */
    public int restore(ColumnNorms base, ColumnNorms target) {
        if (!Files.exists(file)) {
            return 0;
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            if (!key.equals(f.metadata().get("key"))) {
                return 0;
            }
            get(f, "base", base);
            get(f, "target", target);
            return Integer.parseInt(f.metadata().getOrDefault("jobs_done", "0"));
        } catch (WeightFormatException | NumberFormatException e) {
            return 0;
        }
    }

    /** Removes the checkpoint once its result is safely written. */
    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private static void put(SafetensorsWriter w, String set, ColumnNorms c) {
        for (int t = 0; t < c.calls(); t++) {
            for (int l = 0; l < c.layers(); l++) {
                double[] s = c.sumSquares(t, l);
                ByteBuffer b = ByteBuffer.allocate(s.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : s) {
                    b.putDouble(v);
                }
                b.flip();
                w.add(set + ".t" + t + ".l" + l, DType.F64, new long[] {s.length}, b);
            }
        }
    }

    private static void get(SafetensorsFile f, String set, ColumnNorms c) {
        for (int t = 0; t < c.calls(); t++) {
            for (int l = 0; l < c.layers(); l++) {
                String name = set + ".t" + t + ".l" + l;
                double[] dst = c.sumSquares(t, l);
                if (f.info(name).elementCount() != dst.length) {
                    throw new WeightFormatException(f.path(), "checkpoint tensor '" + name + "' has the wrong size");
                }
                ByteBuffer b = f.bytes(name);
                for (int j = 0; j < dst.length; j++) {
                    dst[j] = b.getDouble(j * 8);
                }
            }
        }
    }
}
