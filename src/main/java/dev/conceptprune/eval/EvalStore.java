package dev.conceptprune.eval;

import com.google.gson.JsonArray;
import dev.conceptprune.io.Hashing;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What an evaluation folder already holds. {@code OUT/.eval-state.json} names the run the folder
 * belongs to; under {@code OUT/.eval/} one small file per image (by the image's content key and
 * file) and one per result (by image key and result key: equal keys mean equal pixels, so a
 * result serves every image with that key) say what was generated and measured. Every file is
 * written atomically and none is ever rewritten with other content, so any number of processes
 * can fill the same folder at once without losing each other's results, and a re-run reuses
 * everything whose key is unchanged.
 */
public final class EvalStore {
    /** Name of the identity file inside the output folder. */
    public static final String FILE = ".eval-state.json";
    /** Folder of the per-image and per-result records inside the output folder. */
    public static final String RECORDS = ".eval";
    private static final int VERSION = 2;

    /**
     * The run an output folder belongs to: re-running with the same models and prompt file
     * continues it, whatever the sampler settings.
     */
    public record Identity(List<String> models, String prompts) {
        public Identity {
            models = List.copyOf(models);
        }

        /** The identity of a plan, by absolute paths. */
        public static Identity of(EvalPlan plan) {
            return new Identity(plan.models().stream().map(m -> m.path().toString()).toList(),
                    plan.prompts().source());
        }
    }

    private record Stored(int version, Identity identity) {
    }

    /** An image file and the key its pixels were generated with; the PNG digest tells whether the file still holds them. */
    private record ImageRecord(String key, String file, String pngSha256) {
    }

    /** One measurement of one image: a CLIP score or a detector's verdict. */
    private record ResultRecord(String imageKey, String resultKey, Double clipScore, Verdict verdict) {
    }

    private final Path out;

    /** The store of an output folder (which need not exist yet). */
    public EvalStore(Path out) {
        this.out = out;
    }

    /** The folder's identity, or null when it has none or one this version cannot read. */
    public Identity identity() {
        Stored s = read(out.resolve(FILE), Stored.class);
        return s == null || s.version() != VERSION || s.identity() == null ? null : s.identity();
    }

    /** Marks the folder as holding the run with this identity. */
    public void claim(Identity identity) {
        AtomicFiles.writeString(out.resolve(FILE), Json.line(new Stored(VERSION, identity)) + "\n");
    }

    /** True when the image's file holds the pixels generated for the image's key. */
    public boolean hasImage(EvalImage image) {
        ImageRecord r = read(imageRecord(image), ImageRecord.class);
        Path png = out.resolve(image.file());
        return r != null && image.file().equals(r.file()) && Files.isRegularFile(png)
                && Hashing.sha256(png).equals(r.pngSha256());
    }

    /** Writes the image's PNG, then its record. */
    public void writeImage(EvalImage image, byte[] png) {
        AtomicFiles.write(out.resolve(image.file()), o -> o.write(png));
        AtomicFiles.writeString(imageRecord(image),
                Json.line(new ImageRecord(image.key(), image.file(), Hashing.sha256(png))) + "\n");
    }

    /** The files {@link #writeImage} writes for {@code image}, relative to the output folder, in its order. */
    public List<String> written(EvalImage image) {
        return List.of(image.file(), out.relativize(imageRecord(image)).toString().replace('\\', '/'));
    }

    /** Image files the records name, relative to the output folder. */
    public Set<String> files() {
        Set<String> files = new TreeSet<>();
        for (Path p : list(out.resolve(RECORDS).resolve("images"))) {
            ImageRecord r = read(p, ImageRecord.class);
            if (r != null && r.file() != null) {
                files.add(r.file());
            }
        }
        return files;
    }

    /** Removes the records of an image file. */
    public void forget(String file) {
        for (Path p : list(out.resolve(RECORDS).resolve("images"))) {
            ImageRecord r = read(p, ImageRecord.class);
            if (r != null && file.equals(r.file())) {
                delete(p);
            }
        }
    }

    /** The image's CLIP score from a CLIP with {@code clipKey}, or null when it must be computed. */
    public Double clipScore(EvalImage image, String clipKey) {
        ResultRecord r = read(resultRecord(image.key(), clipKey), ResultRecord.class);
        return r == null ? null : r.clipScore();
    }

    /** Records a CLIP score. */
    public void putClipScore(EvalImage image, String clipKey, double score) {
        writeResult(new ResultRecord(image.key(), clipKey, score, null));
    }

    /** The image's verdict from the detector with {@code detectorKey}, or null when it must be computed. */
    public Verdict verdict(EvalImage image, String detectorKey) {
        ResultRecord r = read(resultRecord(image.key(), detectorKey), ResultRecord.class);
        return r == null ? null : r.verdict();
    }

    /** Records a detector's verdict. */
    public void putVerdict(EvalImage image, String detectorKey, Verdict verdict) {
        writeResult(new ResultRecord(image.key(), detectorKey, null, verdict));
    }

    /** Removes the identity and every record. */
    public void clear() {
        delete(out.resolve(FILE));
        Path records = out.resolve(RECORDS);
        if (!Files.exists(records)) {
            return;
        }
        try (Stream<Path> s = Files.walk(records)) {
            s.sorted(Comparator.reverseOrder()).forEach(EvalStore::delete);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + records + ": " + e.getMessage(), e);
        }
    }

    private void writeResult(ResultRecord r) {
        AtomicFiles.writeString(resultRecord(r.imageKey(), r.resultKey()), Json.line(r) + "\n");
    }

    /** By key and file: two models with identical files share keys but not image files. */
    private Path imageRecord(EvalImage image) {
        JsonArray k = new JsonArray();
        k.add(image.key());
        k.add(image.file());
        return out.resolve(RECORDS).resolve("images").resolve(ContentKeys.hex(ContentKeys.of(k)) + ".json");
    }

    private Path resultRecord(String imageKey, String resultKey) {
        JsonArray k = new JsonArray();
        k.add(imageKey);
        k.add(resultKey);
        return out.resolve(RECORDS).resolve("results").resolve(ContentKeys.hex(ContentKeys.of(k)) + ".json");
    }

    private static <T> T read(Path file, Class<T> type) {
        try {
            return Json.compact().fromJson(Files.readString(file, StandardCharsets.UTF_8), type);
        } catch (IOException | RuntimeException e) {
            // Missing, damaged or from another version (Gson reports a record it cannot build as a
            // plain RuntimeException): recomputed, not trusted.
            return null;
        }
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }
}
