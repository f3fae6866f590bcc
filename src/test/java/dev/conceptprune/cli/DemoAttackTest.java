package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --attack} on the toy-world model at CI size (2 prompts per list, PNDM 10 steps, one round of one
 * attack step, two completion iterations): every variant is measured with n, the prompt filter is attacked, and
 * the recovery finds the pruned positions of a zero fill and none of a gaussian fill.
 */
class DemoAttackTest {
    @TempDir
    Path tmp;

    @Test
    void attacksEveryVariantAndTheGaussianFillHidesThePositions() throws IOException {
        Path out = tmp.resolve("demo");
        CliRun r = CliRun.run("demo", "--attack", "--limit", "2", "--steps", "10", "--attack-rounds", "1",
                "--attack-iterations", "1", "--recovery-iterations", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonObject result = JsonParser.parseString(Files.readString(out.resolve("robustness.json"))).getAsJsonObject();
        JsonArray variants = result.getAsJsonArray("variants");
        // base, prompt filter, then ffn2 x (zero, gaussian) and the demo's attn2-kv x (zero, gaussian, matched),
        // each erased and recovered
        assertEquals(2 + (2 + 3) * 2, variants.size());
        for (JsonElement e : variants) {
            JsonObject v = e.getAsJsonObject();
            assertEquals(2, v.getAsJsonObject("concept").get("n").getAsInt(), v.toString());
            boolean erased = v.get("site").isJsonPrimitive() && !v.get("recovered").getAsBoolean();
            if (erased || v.get("name").getAsString().startsWith("prompt filter")) {
                assertEquals(2, v.getAsJsonObject("under_attack").get("n").getAsInt(), v.toString());
            }
            if (v.get("recovered").getAsBoolean()) {
                JsonObject rec = v.getAsJsonObject("recovery");
                long pruned = rec.get("pruned").getAsLong();
                long located = rec.get("located_pruned").getAsLong();
                assertTrue(pruned > 0, v.toString());
                if (v.get("fill").getAsString().equals("zero")) {
                    assertEquals(pruned, located, "every zeroed weight is found: " + v);
                } else {
                    assertEquals(0, located, "noise and matched values leave nothing to locate: " + v);
                }
            }
        }
        assertTrue(Files.readString(out.resolve("report.html")).contains("Robustness (demo --attack)"));
    }
}
