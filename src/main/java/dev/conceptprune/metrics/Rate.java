package dev.conceptprune.metrics;

import com.google.gson.JsonElement;
import com.google.gson.JsonSerializationContext;
import com.google.gson.JsonSerializer;
import com.google.gson.annotations.JsonAdapter;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.OmittedWhenNull;
import java.lang.reflect.Type;
import java.util.Map;

/**
 * A count out of {@code n} with its proportion and 95% Wilson interval ({@link WilsonInterval}).
 * With {@code n = 0} the proportion and bounds are NaN here; {@link Json} writes them as null with
 * the reason in {@code undefined}, as every undefined figure is written.
 */
@JsonAdapter(Rate.Serializer.class)
public record Rate(long count, long n, double rate, double low, double high) {
    static final String NO_TRIALS = "no trials (n = 0)";

    /**
     * The rate of {@code count} in {@code n}.
     *
     * @throws IllegalArgumentException when {@code count} is not in [0, n]
     */
    public static Rate of(long count, long n) {
        return WilsonInterval.of(count, n)
                .map(w -> new Rate(count, n, count / (double) n, w.low(), w.high()))
                .orElseGet(() -> new Rate(count, n, Double.NaN, Double.NaN, Double.NaN));
    }

    /** False when there were no trials, and the rate and its bounds are undefined. */
    public boolean defined() {
        return n > 0;
    }

    /** The rate as JSON holds it: null figures when undefined, with the reason per key. */
    private record Figures(long count, long n, Double rate, Double low, Double high,
                           @JsonAdapter(value = OmittedWhenNull.class, nullSafe = false) Map<String, String> undefined) {
    }

    /** Writes {@link Figures} in place of the record's raw doubles. */
    static final class Serializer implements JsonSerializer<Rate> {
        @Override
        public JsonElement serialize(Rate r, Type type, JsonSerializationContext context) {
            Json.Undefined why = new Json.Undefined();
            return context.serialize(new Figures(r.count(), r.n(), why.figure("rate", r.rate(), NO_TRIALS),
                    why.figure("low", r.low(), NO_TRIALS), why.figure("high", r.high(), NO_TRIALS), why.reasons()));
        }
    }
}
