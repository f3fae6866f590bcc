package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed {@code --sweep KEY=V1,V2,...} options: the values to try per setting name. */
final class SweepSpec {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    SweepSpec(List<String> options, Set<String> allowed) {
        for (String s : options) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw new InputException("--sweep takes KEY=V1,V2,..., got '" + s + "'");
            }
            String key = s.substring(0, eq);
            if (!allowed.contains(key)) {
                throw new InputException("--sweep key must be one of " + String.join(", ", allowed) + ", got '"
                        + key + "'");
            }
            values.put(key, List.of(s.substring(eq + 1).split(",")));
        }
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    /** Whether the key is swept. */
    boolean has(String key) {
        return values.containsKey(key);
    }

    /** The swept strings for a key, or the single default. */
    List<String> strings(String key, String fallback) {
        return values.getOrDefault(key, List.of(fallback));
    }

    /** The swept numbers for a key (each checked to lie in (0, 1]), or the default. */
    List<Double> ratios(String key, double fallback) {
        List<Double> out = new ArrayList<>();
        for (String v : strings(key, String.valueOf(fallback))) {
            double d = parse(key, v);
            if (!(d > 0 && d <= 1)) {
                throw new InputException("--sweep " + key + " values must be in (0, 1], got " + v);
            }
            out.add(d);
        }
        return out;
    }

    /** The swept positive integers for a key, or the default. */
    List<Integer> counts(String key, int fallback) {
        List<Integer> out = new ArrayList<>();
        for (String v : strings(key, String.valueOf(fallback))) {
            double d = parse(key, v);
            if (d != Math.rint(d) || d < 1) {
                throw new InputException("--sweep " + key + " values must be positive integers, got " + v);
            }
            out.add((int) d);
        }
        return out;
    }

    private static double parse(String key, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new InputException("--sweep " + key + ": '" + v + "' is not a number");
        }
    }
}
