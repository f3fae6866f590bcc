package dev.conceptprune.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    private record Figure(double value) {
    }

    @Test
    void refusesNonFiniteNumbersWhereverTheyAre() {
        assertThrows(IllegalArgumentException.class, () -> Json.line(new Figure(Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> Json.line(Map.of("x", Double.POSITIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> Json.line(List.of(Float.NaN)));
        // A JSON tree bypasses the typed adapters' check; the writer must still refuse it.
        JsonObject tree = new JsonObject();
        tree.add("x", new JsonPrimitive(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.line(tree));
        assertThrows(IllegalArgumentException.class, () -> Json.pretty().toJson(tree));
    }

    @Test
    void undefinedFiguresAreNullWithTheirReason() {
        Json.Undefined why = new Json.Undefined();
        assertEquals(0.5, why.figure("share", 0.5, "unused"));
        assertNull(why.reasons());
        assertNull(why.figure("mean", Double.NaN, "no images"));
        assertNull(why.figure("rate", Double.NEGATIVE_INFINITY, "no time"));
        assertEquals(Map.of("mean", "no images", "rate", "no time"), why.reasons());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("mean", null);
        o.put("undefined", why.reasons());
        assertEquals("{\"mean\":null,\"undefined\":{\"mean\":\"no images\",\"rate\":\"no time\"}}", Json.line(o));
    }
}
