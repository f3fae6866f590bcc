package dev.conceptprune.eval;

import dev.conceptprune.weights.ModelFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cheap identity of the files a result depends on: SHA-256 over their names, sizes and
 * modification times. Hashing multi-gigabyte weights would cost more than regenerating a small
 * evaluation, and a replaced or edited file changes its size or time.
 */
public final class FileStamp {
    private FileStamp() {
    }

    /** Stamp of a diffusers folder: {@code model_index.json} and the files of every component it names. */
    public static String ofModel(ModelFolder folder) {
        List<Path> files = new ArrayList<>();
        files.add(folder.root().resolve("model_index.json"));
        for (String component : folder.components().keySet()) {
            files.addAll(filesIn(folder.componentDir(component)));
        }
        return of(folder.root(), files);
    }

    /** Stamp of the files directly inside a folder (a CLIP folder: configs, tokenizer, weights). */
    public static String ofFolder(Path dir) {
        return of(dir, filesIn(dir));
    }

    private static String of(Path root, List<Path> files) {
        StringBuilder listing = new StringBuilder();
        for (Path f : files) {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(f, BasicFileAttributes.class);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
            }
            listing.append(root.relativize(f)).append('\0').append(a.size()).append('\0')
                    .append(a.lastModifiedTime().toMillis()).append('\n');
        }
        return Sha256.of(listing.toString());
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
