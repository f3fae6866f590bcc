package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Staging;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs and the output folder on a Hadoop file system ({@link LocalSchemeFileSystem}, reached only through
 * Hadoop's API): staged copies equal the remote files and follow their changes; the output mirror starts as
 * the remote folder, and publishing makes the remote folder equal the mirror.
 */
class HadoopStagingTest {
    @TempDir
    Path tmp;

    private HadoopStaging staging() {
        String[] fs = LocalSchemeFileSystem.SETTING.split("=", 2);
        return new HadoopStaging(new SparkSettings(null, Map.of(fs[0], fs[1],
                HadoopStaging.ROOT_SETTING, tmp.resolve("staging").toString()), 1));
    }

    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") || !(name.endsWith(".staged.json") || name.endsWith(".lock"))) {
                    files.put(root.relativize(p).toString(), Files.readString(p));
                }
            }
        }
        return files;
    }

    @Test
    void aRemoteFolderIsCopiedOnceAndAgainWhenItChanges() throws IOException {
        Path model = tmp.resolve("remote/models/m");
        Files.createDirectories(model.resolve("unet"));
        Files.writeString(model.resolve("model_index.json"), "{}");
        Files.writeString(model.resolve("unet/config.json"), "{\"a\": 1}");
        Path local = staging().input("--model", LocalSchemeFileSystem.uri(model));
        assertEquals(tmp.resolve("staging/cptest/_").resolve(model.toString().substring(1)), local);
        assertEquals(tree(model), tree(local));

        Files.writeString(model.resolve("unet/config.json"), "{\"a\": 22}");
        Files.writeString(model.resolve("unet/extra.txt"), "x");
        assertEquals(local, staging().input("--model", LocalSchemeFileSystem.uri(model)));
        assertEquals(tree(model), tree(local), "a changed remote folder is copied again");
        assertEquals(local, staging().driverInput("--prompts", LocalSchemeFileSystem.uri(model)));
    }

    @Test
    void aRemoteFileIsCopiedAsAFile() throws IOException {
        Path prompts = tmp.resolve("remote/prompts.txt");
        Files.createDirectories(prompts.getParent());
        Files.writeString(prompts, "a red star\n");
        Path local = staging().driverInput("--prompts", LocalSchemeFileSystem.uri(prompts));
        assertEquals("a red star\n", Files.readString(local));
        assertEquals("prompts.txt", local.getFileName().toString());
    }

    @Test
    void locationsThatAreNotThereAreOneLineErrorsNamingTheOption() {
        String missing = LocalSchemeFileSystem.uri(tmp.resolve("remote/none"));
        InputException e = assertThrows(InputException.class, () -> staging().input("--model", missing));
        assertEquals("--model " + missing + ": no such file or folder", e.getMessage());
        e = assertThrows(InputException.class, () -> staging().input("--model", "nofs://host/x"));
        assertTrue(e.getMessage().startsWith("--model nofs://host/x: cannot list: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        e = assertThrows(InputException.class, () -> staging().output("--out", "cptest:///"));
        assertTrue(e.getMessage().contains("below the file system's root"), e.getMessage());
        e = assertThrows(InputException.class, () -> Staging.LOCAL.input("--model", "hdfs://nn/models/sd15"));
        assertTrue(e.getMessage().startsWith("--model hdfs://nn/models/sd15: ")
                && e.getMessage().contains("--engine spark"), e.getMessage());
        assertEquals(Path.of("/data/m"), Staging.LOCAL.input("--model", "file:///data/m"));
        assertEquals(Path.of("C:/data"), Staging.LOCAL.input("--model", "C:/data"), "a drive letter is no scheme");
    }

    @Test
    void theOutputMirrorStartsAsTheRemoteFolderAndPublishingMakesTheRemoteFolderEqualIt() throws IOException {
        Path remote = tmp.resolve("remote/out");
        Files.createDirectories(remote.resolve(".eval/images"));
        Files.writeString(remote.resolve("keep.txt"), "kept");
        Files.writeString(remote.resolve("change.txt"), "old");
        Files.writeString(remote.resolve("gone.txt"), "removed later");
        Files.writeString(remote.resolve(".eval/images/r.json"), "{}");
        HadoopStaging s = staging();
        Path mirror = s.output("--out", LocalSchemeFileSystem.uri(remote));
        assertEquals(tree(remote), tree(mirror));

        Files.writeString(mirror.resolve("change.txt"), "new content");
        Files.delete(mirror.resolve("gone.txt"));
        Files.createDirectories(mirror.resolve("images/base"));
        Files.writeString(mirror.resolve("images/base/000.png"), "png");
        s.publish();
        assertEquals(tree(mirror), tree(remote));
        try (Stream<Path> l = Files.walk(remote)) {
            assertTrue(l.noneMatch(p -> p.getFileName().toString().startsWith(HadoopFiles.PART)), "no temporary file");
        }

        // What an executor stores remotely reaches the mirror; what it lacks there leaves the mirror.
        Files.writeString(remote.resolve("images/base/001.png"), "png 2");
        Files.delete(remote.resolve("keep.txt"));
        s.refresh();
        assertEquals(tree(remote), tree(mirror));
    }

    @Test
    void anExecutorFetchesTheItemsFilesAndUploadsOnlyWhatTheRemoteFolderLacks() throws IOException {
        Path remote = tmp.resolve("remote/out");
        Files.createDirectories(remote.resolve("images"));
        Files.writeString(remote.resolve("images/a.png"), "stored");
        HadoopStaging s = staging();
        s.output("--out", LocalSchemeFileSystem.uri(remote));
        Path elsewhere = tmp.resolve("executor-mirror");
        OutputMirror executor = new OutputMirror(HadoopFiles.of(Map.of("spark.hadoop.fs.cptest.impl",
                LocalSchemeFileSystem.class.getName())), s.mirror().remote(), elsewhere);
        Files.createDirectories(elsewhere.resolve("images"));
        Files.writeString(elsewhere.resolve("images/b.png"), "left from an earlier run");
        executor.pull(List.of("images/a.png", "images/b.png"));
        assertEquals("stored", Files.readString(elsewhere.resolve("images/a.png")));
        assertFalse(Files.exists(elsewhere.resolve("images/b.png")), "a file the remote folder lacks is not kept");

        Files.writeString(elsewhere.resolve("images/b.png"), "new");
        long before = Files.getLastModifiedTime(remote.resolve("images/a.png")).toMillis();
        executor.push(List.of("images/a.png", "images/b.png"));
        assertEquals("new", Files.readString(remote.resolve("images/b.png")));
        assertEquals(before, Files.getLastModifiedTime(remote.resolve("images/a.png")).toMillis(),
                "an unchanged file is not uploaded again");
    }
}
