package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Parsed {@code --sweep KEY=V1,V2,...} options: the values to try per setting. Keys are the names of
 * the options they vary ({@code skill-ratio}, {@code tau}, {@code site}); {@code skill_ratio} is the
 * same key. Every message names the {@code --sweep} option as the user wrote it.
 */
final class SweepSpec {
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private record Entry(String option, List<String> values) {
    }

    /** Parses the options; {@code keys} are the option names that may be swept. */
    SweepSpec(List<String> options, Set<String> keys) {
        for (String s : options) {
            String option = "--sweep " + s;
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new InputException(option + ": expected KEY=V1,V2,... with KEY one of " + names(keys));
            }
            String key = s.substring(0, eq).strip().toLowerCase(Locale.ROOT).replace('_', '-');
            if (!keys.contains(key)) {
                throw new InputException(option + ": unknown key '" + s.substring(0, eq) + "'; the keys are "
                        + names(keys));
            }
            if (entries.containsKey(key)) {
                throw new InputException(option + ": " + key + " is swept twice; list all its values in one --sweep "
                        + key + "=V1,V2,...");
            }
            List<String> values = new ArrayList<>();
            for (String v : s.substring(eq + 1).split(",", -1)) {
                if (v.isBlank()) {
                    throw new InputException(option + ": a value is missing; expected " + key + "=V1,V2,...");
                }
                values.add(v.strip());
            }
            entries.put(key, new Entry(option, values));
        }
    }

    private static String names(Set<String> keys) {
        return String.join(", ", keys.stream().sorted().toList());
    }

    /** Whether the key is swept. */
    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The swept strings for a key, each read by {@code parse} (whose bad input names this option), or the default. */
    <T> List<T> values(String key, T fallback, Function<String, T> parse) {
        Entry e = entries.get(key);
        if (e == null) {
            return List.of(fallback);
        }
        List<T> out = new ArrayList<>();
        for (String v : e.values) {
            T t = ErrorHandler.option(e.option, () -> parse.apply(v));
            if (out.contains(t)) {
                throw new InputException(e.option + ": " + v + " is listed twice");
            }
            out.add(t);
        }
        return out;
    }

    /** The swept numbers for a key, each in (0, 1], or the default. */
    List<Double> ratios(String key, double fallback) {
        return values(key, fallback, v -> {
            double d = number(v);
            if (!(d > 0 && d <= 1)) {
                throw new InputException("values must be in (0, 1], got " + v);
            }
            return d;
        });
    }

    /**
     * The swept whole numbers for a key, each from 1 to {@code max}, or the default; {@code limit} says
     * why larger values cannot be used.
     */
    List<Integer> counts(String key, int fallback, int max, String limit) {
        return values(key, fallback, v -> {
            double d = number(v);
            if (d != Math.rint(d) || d < 1) {
                throw new InputException("values must be whole numbers >= 1, got " + v);
            }
            if (d > max) {
                throw new InputException(v + " exceeds " + limit);
            }
            return (int) d;
        });
    }

    private static double number(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InputException("'" + v + "' is not a number");
        }
    }
}
