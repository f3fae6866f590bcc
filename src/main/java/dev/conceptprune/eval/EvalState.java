package dev.conceptprune.eval;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.conceptprune.weights.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an evaluation folder already holds, kept in {@code OUT/.eval-state.json}: which run it
 * belongs to and, per image file, the key it was generated with and the scores computed for it.
 * A re-run reuses an image whose key is unchanged and scores whose scorer is unchanged.
 */
public final class EvalState {
    /** Name of the state file inside the output folder. */
    public static final String FILE = ".eval-state.json";
    private static final int VERSION = 1;
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

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
                    plan.prompts().file().toAbsolutePath().normalize().toString());
        }
    }

    private record Entry(String key, String scoreKey, ImageScores scores) {
    }

    private record Stored(int version, Identity identity, Map<String, Entry> images) {
    }

    private final Identity identity;
    private final Map<String, Entry> images;

    private EvalState(Identity identity, Map<String, Entry> images) {
        this.identity = identity;
        this.images = new LinkedHashMap<>(images);
    }

    /** An empty state for a new run. */
    public static EvalState fresh(Identity identity) {
        return new EvalState(identity, Map.of());
    }

    /** The state of {@code out}, or null when it has none or one this version cannot read. */
    public static EvalState read(Path out) {
        Path file = out.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Stored s = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Stored.class);
            if (s == null || s.version() != VERSION || s.identity() == null || s.images() == null) {
                return null;
            }
            return new EvalState(s.identity(), s.images());
        } catch (IOException | JsonParseException e) {
            return null;
        }
    }

    public Identity identity() {
        return identity;
    }

    /** True when the image's file exists and was generated with the image's key. */
    public boolean hasImage(EvalImage image, Path out) {
        Entry e = images.get(image.file());
        return e != null && image.key().equals(e.key()) && Files.isRegularFile(out.resolve(image.file()));
    }

    /** Records that the image's file now holds pixels for its key; earlier scores no longer apply. */
    public void imageWritten(EvalImage image) {
        images.put(image.file(), new Entry(image.key(), null, null));
    }

    /** The image's scores from a scorer with {@code scoreKey}, or null when they must be computed. */
    public ImageScores scores(EvalImage image, String scoreKey) {
        Entry e = images.get(image.file());
        boolean valid = e != null && image.key().equals(e.key()) && scoreKey.equals(e.scoreKey());
        return valid ? e.scores() : null;
    }

    /** Records scores of a generated image. */
    public void scored(EvalImage image, String scoreKey, ImageScores scores) {
        images.put(image.file(), new Entry(image.key(), scoreKey, scores));
    }

    /** Image files this state knows, relative to the output folder. */
    public Set<String> files() {
        return Set.copyOf(images.keySet());
    }

    /** Forgets a file. */
    public void forget(String file) {
        images.remove(file);
    }

    /** Writes the state atomically into {@code out}. */
    public void save(Path out) {
        AtomicFiles.writeString(out.resolve(FILE), GSON.toJson(new Stored(VERSION, identity, images)) + "\n");
    }
}
