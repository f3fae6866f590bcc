package dev.conceptprune.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.io.Json;
import org.junit.jupiter.api.Test;

class WilsonIntervalTest {
    /** The expected bounds come from the score form p~ -+ z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n), to 1e-4. */
    private static final double STATED = 1e-4;

    private static void assertInterval(long k, long n, double low, double high) {
        WilsonInterval w = WilsonInterval.of(k, n).orElseThrow();
        assertEquals(low, w.low(), STATED, k + "/" + n + " low");
        assertEquals(high, w.high(), STATED, k + "/" + n + " high");
    }

    @Test
    void knownIntervals() {
        assertInterval(0, 10, 0, 0.2775);
        assertInterval(5, 10, 0.2366, 0.7634);
        assertInterval(10, 10, 0.7225, 1);
        assertInterval(1, 1000, 0.0002, 0.0056);
        assertInterval(1, 1, 0.2065, 1);
    }

    @Test
    void boundsAtNoneAndAllAreExact() {
        assertEquals(0.0, WilsonInterval.of(0, 10).orElseThrow().low());
        assertEquals(1.0, WilsonInterval.of(10, 10).orElseThrow().high());
        assertEquals(0.0, WilsonInterval.of(0, 1_000_000).orElseThrow().low());
    }

    @Test
    void finerValuesAndSymmetry() {
        WilsonInterval w = WilsonInterval.of(1, 1000).orElseThrow();
        assertEquals(0.000177, w.low(), 1e-6);
        assertEquals(0.005643, w.high(), 1e-6);
        WilsonInterval mirrored = WilsonInterval.of(999, 1000).orElseThrow();
        assertEquals(1 - w.high(), mirrored.low(), 1e-15);
        assertEquals(1 - w.low(), mirrored.high(), 1e-15);
    }

    @Test
    void noTrialsIsUndefinedAndCountsAreChecked() {
        assertTrue(WilsonInterval.of(0, 0).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(11, 10));
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> Rate.of(1, 0));
    }

    @Test
    void rateCarriesTheIntervalAndSerialisesSnakeCase() {
        Rate r = Rate.of(5, 10);
        assertTrue(r.defined());
        assertEquals(0.5, r.rate());
        assertEquals(0.2366, r.low(), STATED);
        assertEquals(0.7634, r.high(), STATED);
        JsonObject o = JsonParser.parseString(Json.line(r)).getAsJsonObject();
        assertEquals(5, o.get("count").getAsLong());
        assertEquals(10, o.get("n").getAsLong());
        assertEquals(0.5, o.get("rate").getAsDouble());
        assertEquals(r.low(), o.get("low").getAsDouble());
        assertEquals(r.high(), o.get("high").getAsDouble());
        assertFalse(o.has("undefined"), "every figure defined: no undefined map");
    }

    @Test
    void rateOfNothingSerialisesNullsWithTheReason() {
        Rate r = Rate.of(0, 0);
        assertFalse(r.defined());
        assertTrue(Double.isNaN(r.rate()));
        String json = Json.line(r);
        assertFalse(json.contains("NaN"), json);
        assertEquals("{\"count\":0,\"n\":0,\"rate\":null,\"low\":null,\"high\":null,\"undefined\":"
                + "{\"rate\":\"no trials (n = 0)\",\"low\":\"no trials (n = 0)\",\"high\":\"no trials (n = 0)\"}}", json);
    }
}
