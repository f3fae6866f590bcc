package dev.conceptprune.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A component's JSON config with typed getters. Every error names the file and the key, so a
 * wrong or missing setting is reported in one line before any heavy work starts.
 */
public final class Config {
    private final Path file;
    private final JsonObject json;

    public Config(Path file, JsonObject json) {
        this.file = file;
        this.json = json;
    }

    /** Reads and parses a config file. */
    public static Config read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new WeightFormatException(file, "config file not found");
        } catch (IOException e) {
            throw new WeightFormatException(file, "cannot read config: " + e.getMessage());
        }
        return parse(file, text);
    }

    /** Parses config text; {@code file} names where it came from in errors. */
    public static Config parse(Path file, String text) {
        try {
            JsonElement el = JsonParser.parseString(text);
            if (!el.isJsonObject()) {
                throw new WeightFormatException(file, "config is not a JSON object");
            }
            return new Config(file, el.getAsJsonObject());
        } catch (JsonParseException | StackOverflowError e) {
            throw new WeightFormatException(file, "config is not valid JSON");
        }
    }

    public Path file() {
        return file;
    }

    public JsonObject json() {
        return json;
    }

    /** True when the key is present and not null. */
    public boolean has(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    private JsonElement require(String key) {
        if (!has(key)) {
            throw new WeightFormatException(file, "missing config key '" + key + "'");
        }
        return json.get(key);
    }

    private WeightFormatException wrong(String key, String expected) {
        return new WeightFormatException(file, "config key '" + key + "' must be " + expected
                + ", found " + json.get(key));
    }

    private JsonPrimitive number(String key) {
        JsonElement e = require(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw wrong(key, "a number");
        }
        return e.getAsJsonPrimitive();
    }

    public int getInt(String key) {
        JsonPrimitive p = number(key);
        double d = p.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw wrong(key, "an integer");
        }
        return (int) d;
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public double getDouble(String key) {
        return number(key).getAsDouble();
    }

    public double getDouble(String key, double fallback) {
        return has(key) ? getDouble(key) : fallback;
    }

    public boolean getBoolean(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw wrong(key, "true or false");
        }
        return e.getAsBoolean();
    }

    public String getString(String key) {
        JsonElement e = require(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw wrong(key, "a string");
        }
        return e.getAsString();
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    /** A list of integers. */
    public int[] getIntArray(String key) {
        JsonElement e = require(key);
        if (!e.isJsonArray()) {
            throw wrong(key, "a list of integers");
        }
        JsonArray a = e.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()
                    || x.getAsDouble() != Math.rint(x.getAsDouble())) {
                throw wrong(key, "a list of integers");
            }
            out[i] = x.getAsInt();
        }
        return out;
    }

    /** An integer that may also be given once per block as a list, as diffusers allows. */
    public int[] getIntOrPerBlock(String key, int blocks) {
        JsonElement e = require(key);
        if (e.isJsonArray()) {
            int[] v = getIntArray(key);
            if (v.length != blocks) {
                throw new WeightFormatException(file, "config key '" + key + "' lists " + v.length
                        + " values for " + blocks + " blocks");
            }
            return v;
        }
        int[] v = new int[blocks];
        java.util.Arrays.fill(v, getInt(key));
        return v;
    }

    /** A list of strings. */
    public List<String> getStringList(String key) {
        JsonElement e = require(key);
        if (!e.isJsonArray()) {
            throw wrong(key, "a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement x : e.getAsJsonArray()) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                throw wrong(key, "a list of strings");
            }
            out.add(x.getAsString());
        }
        return out;
    }

    /** An error about this config, for checks that span several keys. */
    public WeightFormatException error(String rule) {
        return new WeightFormatException(file, rule);
    }
}
