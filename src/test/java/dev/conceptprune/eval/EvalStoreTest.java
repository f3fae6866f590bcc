package dev.conceptprune.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.pipeline.GenerationSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import dev.conceptprune.model.SingleFileOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalStoreTest {
    @TempDir
    Path out;

    private static EvalImage image(String model, long seed) {
        EvalModel m = new EvalModel(model, Path.of("/models/" + model).toAbsolutePath(), "sha256:same-files", 64, 64,
                SingleFileOptions.NONE);
        PromptRow row = new PromptRow(2, "a cat", null, null, null, Map.of());
        return new EvalImage(m, 0, row, new GenerationSettings("a cat", "", 2, 7.5, null, seed, 64, 64, 1, null));
    }

    @Test
    void imagesAreKnownByKeyAndFileWhileTheFileHoldsTheirPixels() throws IOException {
        EvalStore store = new EvalStore(out);
        EvalImage a = image("a", 0);
        EvalImage twin = image("b", 0);
        assertEquals(a.key(), twin.key(), "identical model files and settings share the content key");
        store.writeImage(a, "pixels".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.hasImage(a));
        assertFalse(store.hasImage(twin), "the twin's file was not written");
        store.writeImage(twin, "pixels".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.hasImage(a) && store.hasImage(twin));
        assertEquals(Set.of(a.file(), twin.file()), store.files());

        EvalImage reseeded = image("a", 1);
        store.writeImage(reseeded, "other pixels".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.hasImage(reseeded));
        assertFalse(store.hasImage(a), "the file now holds another key's pixels");

        store.forget(a.file());
        assertEquals(Set.of(twin.file()), store.files());
    }

    @Test
    void resultsAreKeyedByImageAndScorerAndDamagedOnesAreRecomputed() throws IOException {
        EvalStore store = new EvalStore(out);
        EvalImage a = image("a", 0);
        Verdict v = new Verdict(Map.of("cat", 0.75, "dog", 0.25), "cat");
        store.putVerdict(a, "detector-1", v);
        store.putClipScore(a, "clip-1", 31.5);
        assertEquals(v, store.verdict(a, "detector-1"));
        assertEquals(31.5, store.clipScore(a, "clip-1"));
        assertEquals(v, store.verdict(image("b", 0), "detector-1"), "equal keys, equal pixels: the result applies");
        assertNull(store.verdict(a, "detector-2"));
        assertNull(store.verdict(image("a", 1), "detector-1"));

        List<Path> records;
        try (Stream<Path> s = Files.list(out.resolve(EvalStore.RECORDS).resolve("results"))) {
            records = s.toList();
        }
        for (Path r : records) {
            Files.writeString(r, "{\"image_key\": \"x\", \"verdict\": {\"probabilities\": {}, \"best_label\": \"cat\"}}");
        }
        assertNull(store.verdict(a, "detector-1"));
        assertNull(store.clipScore(a, "clip-1"));
    }

    @Test
    void identitySurvivesOnlyInItsOwnVersion() throws IOException {
        EvalStore store = new EvalStore(out);
        assertNull(store.identity());
        EvalStore.Identity id = new EvalStore.Identity(List.of("/m"), "/p.csv");
        store.claim(id);
        assertEquals(id, store.identity());
        Files.writeString(out.resolve(EvalStore.FILE), "{\"version\": 1, \"identity\": {\"models\": [], \"prompts\": \"/p\"}}");
        assertNull(store.identity());
        store.claim(id);
        store.putClipScore(image("a", 0), "clip", 1.0);
        store.clear();
        assertNull(store.identity());
        assertFalse(Files.exists(out.resolve(EvalStore.RECORDS)));
    }
}
