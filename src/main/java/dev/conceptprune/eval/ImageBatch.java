package dev.conceptprune.eval;

import com.google.gson.JsonParseException;
import dev.conceptprune.io.Json;
import java.util.List;

/**
 * One UNet batch of an evaluation as a line of JSON, so that it can travel to another process
 * (a Spark executor) and be generated there exactly as here. Each image carries its content key;
 * {@link #decode} recomputes the keys and refuses a batch whose items changed on the way.
 */
public final class ImageBatch {
    private record Item(EvalImage image, String key) {
    }

    private record Batch(List<Item> items) {
    }

    private ImageBatch() {
    }

    /** The batch as one line of JSON. */
    public static String encode(List<EvalImage> images) {
        return Json.line(new Batch(images.stream().map(i -> new Item(i, i.key())).toList()));
    }

    /**
     * The batch {@link #encode} wrote.
     *
     * @throws IllegalStateException when an item's recomputed key differs from the one it was sent with
     */
    public static List<EvalImage> decode(String json) {
        Batch b;
        try {
            b = Json.compact().fromJson(json, Batch.class);
        } catch (JsonParseException e) {
            throw new IllegalStateException("damaged image batch: " + e.getMessage(), e);
        }
        for (Item it : b.items()) {
            if (!it.image().key().equals(it.key())) {
                throw new IllegalStateException("image batch item " + it.image().file()
                        + " changed on the way (its content key differs)");
            }
        }
        return b.items().stream().map(Item::image).toList();
    }
}
