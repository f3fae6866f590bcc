package dev.conceptprune.eval;

import com.google.gson.JsonArray;
import dev.conceptprune.io.FileDigests;
import dev.conceptprune.io.Hashing;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Content keys, written {@code sha256:<hex>}: equal keys mean equal inputs, so a result stored under
 * a key can be reused by any run, process or machine that computes the same key. Files enter a key
 * by the SHA-256 of their bytes (cached by {@link FileDigests}), never by their time stamps.
 */
public final class ContentKeys {
    private ContentKeys() {
    }

    /** The key of a list of values (texts and numbers), by their JSON form. */
    public static String of(JsonArray parts) {
        return "sha256:" + Hashing.sha256(parts.toString());
    }

    /**
     * Key of a model: for a diffusers folder, {@code model_index.json} and the files of every component
     * it names; for a single file, the file, the files that complete it and the options that change how
     * it is read.
     */
    public static String ofModel(ModelSource model, SingleFileOptions options) {
        if (model instanceof DiffusersFolder folder) {
            return ofPipelineFolder(folder);
        }
        Path file = model.location();
        JsonArray parts = new JsonArray();
        parts.add("single file");
        parts.add(ofFiles(file.toAbsolutePath().getParent(), List.of(file.toAbsolutePath())));
        parts.add(options.configFolder() == null ? "" : ofPipelineFolder(DiffusersFolder.open(options.configFolder())));
        parts.add(options.originalConfig() == null ? "" : FileDigests.shared().sha256(options.originalConfig()));
        parts.add(options.predictionType() == null ? "" : options.predictionType());
        parts.add(options.ema());
        return of(parts);
    }

    private static String ofPipelineFolder(DiffusersFolder folder) {
        List<Path> files = new ArrayList<>();
        files.add(folder.root().resolve("model_index.json"));
        for (String component : folder.components().keySet()) {
            files.addAll(filesIn(folder.componentDir(component)));
        }
        return ofFiles(folder.root(), files);
    }

    /** Key of the files directly inside a folder (a CLIP folder: configs, tokenizer, weights). */
    public static String ofFolder(Path dir) {
        return ofFiles(dir, filesIn(dir));
    }

    /** Key of one file's bytes (a classifier's or detector's weights). */
    public static String ofFile(Path file) {
        Path abs = file.toAbsolutePath();
        return ofFiles(abs.getParent(), List.of(abs));
    }

    /** The hex digest part of a key, for file names. */
    static String hex(String key) {
        return key.substring(key.indexOf(':') + 1);
    }

    private static String ofFiles(Path root, List<Path> files) {
        FileDigests digests = FileDigests.shared();
        JsonArray listing = new JsonArray();
        for (Path f : files) {
            listing.add(root.relativize(f).toString().replace('\\', '/'));
            listing.add(digests.sha256(f));
        }
        return of(listing);
    }

    /** Regular files directly in {@code dir}, sorted; links are followed, as hub caches link to blobs. */
    private static List<Path> filesIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
