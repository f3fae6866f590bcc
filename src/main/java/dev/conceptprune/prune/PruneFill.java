package dev.conceptprune.prune;

import dev.conceptprune.io.Hashing;
import dev.conceptprune.io.InputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The value pruned weights get. {@link Kind#ZERO} is ConceptPrune's. Zeros mark where the concept
 * lived, and "Roots Beneath the Cut" (issue 17) revives erased concepts from those positions alone;
 * {@link Kind#GAUSSIAN} hides them: each parameter's pruned entries are drawn from a normal
 * distribution with the mean and population standard deviation of its entries that are kept.
 * {@link Kind#MATCHED} gives them the values {@link MatchedFill} solves, so that prompts with the concept
 * read like their neutral prompts (issue 18); those values depend on the text encoder and the prompts, so
 * the mask carries them ({@link PruneMask#values}).
 *
 * <p>The draws of one parameter come from a {@link Random} seeded with the first 8 bytes (big-endian)
 * of SHA-256(fill seed as 8 big-endian bytes, then the UTF-8 mask key), taken in ascending index
 * order, so they depend on the seed, the key and the mask only, never on the order parameters are
 * visited in.
 *
 * @param kind zero or Gaussian
 * @param seed the Gaussian draws' seed; always 0 for the other fills, which draw nothing
 */
public record PruneFill(Kind kind, long seed) {
    /** Metadata key of the fill's name in a mask file. */
    public static final String FILL = "fill";
    /** Metadata key of the fill's seed in a mask file. */
    public static final String FILL_SEED = "fill_seed";
    /** ConceptPrune's zeros. */
    public static final PruneFill ZERO = new PruneFill(Kind.ZERO, 0);

    /** The two fills, by the name masks record. */
    public enum Kind {
        ZERO("zero"), GAUSSIAN("gaussian"), MATCHED("matched");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        /** The name masks record, e.g. {@code gaussian}. */
        public String id() {
            return id;
        }
    }

    /** The values {@link MatchedFill} solves, carried by the mask. */
    public static final PruneFill MATCHED = new PruneFill(Kind.MATCHED, 0);

    public PruneFill {
        if (kind != Kind.GAUSSIAN) {
            seed = 0;
        }
    }

    /** Gaussian noise drawn with {@code seed}. */
    public static PruneFill gaussian(long seed) {
        return new PruneFill(Kind.GAUSSIAN, seed);
    }

    /** The fill named {@code name} ({@code zero}, {@code gaussian} or {@code matched}); the seed matters to the Gaussian only. */
    public static PruneFill of(String name, long seed) {
        Kind k = kind(name);
        if (k == null) {
            throw new InputException(unknown(name));
        }
        return new PruneFill(k, seed);
    }

    private static Kind kind(String name) {
        for (Kind k : Kind.values()) {
            if (k.id.equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        return null;
    }

    private static String unknown(String name) {
        return "fill must be zero, gaussian or matched; got '" + name + "'";
    }

    /**
     * The fill a mask's metadata records: zero when it records none (masks written before fills existed).
     *
     * @throws IllegalArgumentException for an unknown fill or a seed that is not a whole number
     */
    public static PruneFill fromMetadata(Map<String, String> metadata) {
        String name = metadata.get(FILL);
        if (name == null) {
            return ZERO;
        }
        Kind k = kind(name);
        if (k == null) {
            throw new IllegalArgumentException(unknown(name));
        }
        String seed = metadata.getOrDefault(FILL_SEED, "0");
        try {
            return new PruneFill(k, Long.parseLong(seed));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fill seed '" + seed + "' is not a whole number", e);
        }
    }

    /** The metadata entries that record this fill. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(FILL, kind.id);
        m.put(FILL_SEED, String.valueOf(seed));
        return m;
    }

    /**
     * The values of one parameter's pruned entries.
     *
     * @param key the parameter's mask key (it seeds the Gaussian draws)
     * @param weights the parameter's base weights, row-major
     * @param pruned the sorted flat indices of its pruned entries
     * @return one value per pruned entry, in the order of {@code pruned}
     * @throws InputException when a Gaussian fill has no kept entry to take statistics from
     * @throws IllegalStateException for the matched fill, whose values come with the mask
     */
    public float[] values(String key, float[] weights, int[] pruned) {
        if (kind == Kind.MATCHED) {
            throw new IllegalStateException("the matched fill's values come with the mask, not from the weights");
        }
        float[] out = new float[pruned.length];
        if (kind == Kind.ZERO) {
            return out;
        }
        long kept = weights.length - (long) pruned.length;
        if (kept == 0) {
            throw new InputException("a Gaussian fill of '" + key + "' needs kept entries for its statistics, "
                    + "but the mask prunes all " + weights.length);
        }
        double sum = 0;
        for (int i = 0, p = 0; i < weights.length; i++) {
            if (p < pruned.length && pruned[p] == i) {
                p++;
            } else {
                sum += weights[i];
            }
        }
        double mean = sum / kept;
        double squares = 0;
        for (int i = 0, p = 0; i < weights.length; i++) {
            if (p < pruned.length && pruned[p] == i) {
                p++;
            } else {
                double d = weights[i] - mean;
                squares += d * d;
            }
        }
        double std = Math.sqrt(squares / kept);
        Random random = new Random(streamSeed(key));
        for (int j = 0; j < pruned.length; j++) {
            out[j] = (float) (mean + std * random.nextGaussian());
        }
        return out;
    }

    private long streamSeed(String key) {
        MessageDigest d = Hashing.sha256();
        d.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
        d.update(key.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(d.digest()).getLong();
    }

    @Override
    public String toString() {
        return kind == Kind.GAUSSIAN ? kind.id + " (seed " + seed + ")" : kind.id;
    }
}
