package dev.conceptprune.ort;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ONNX Runtime's own profile (the Chrome-trace JSON its session writes) summed per operator type
 * over the last session runs: where the peer's time goes, beside our per-op profile.
 */
final class OrtProfile {
    private static final String KERNEL = "_kernel_time";

    private OrtProfile() {
    }

    /** Milliseconds per run by operator type, largest first, over the last {@code runs} runs of the trace. */
    static Map<String, Double> perOperator(Path trace, int runs) throws IOException {
        List<JsonObject> events = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(trace)) {
            for (JsonElement e : JsonParser.parseReader(r).getAsJsonArray()) {
                events.add(e.getAsJsonObject());
            }
        }
        List<long[]> windows = new ArrayList<>();
        for (JsonObject e : events) {
            if ("model_run".equals(e.get("name").getAsString())) {
                long ts = e.get("ts").getAsLong();
                windows.add(new long[] {ts, ts + e.get("dur").getAsLong()});
            }
        }
        List<long[]> last = windows.subList(Math.max(0, windows.size() - runs), windows.size());
        Map<String, Double> sums = new TreeMap<>();
        for (JsonObject e : events) {
            if (!"Node".equals(text(e, "cat")) || !text(e, "name").endsWith(KERNEL) || !e.has("args")) {
                continue;
            }
            long ts = e.get("ts").getAsLong();
            if (last.stream().anyMatch(w -> ts >= w[0] && ts <= w[1])) {
                String op = text(e.getAsJsonObject("args"), "op_name");
                sums.merge(op, e.get("dur").getAsLong() / 1e3 / last.size(), Double::sum);
            }
        }
        Map<String, Double> sorted = new LinkedHashMap<>();
        sums.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private static String text(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }
}
