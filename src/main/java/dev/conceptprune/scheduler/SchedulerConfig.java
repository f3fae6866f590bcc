package dev.conceptprune.scheduler;

import com.google.gson.JsonElement;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.WeightFormatException;
import java.util.List;

/**
 * The keys every scheduler reads. Keys the file lacks take the defaults of the class being built,
 * as diffusers' {@code from_config} does; {@link #source} serves the class-specific keys.
 */
record SchedulerConfig(Config source, String className, int numTrainTimesteps, double betaStart, double betaEnd,
                       String betaSchedule, float[] trainedBetas, String predictionType, String timestepSpacing,
                       int stepsOffset, boolean setAlphaToOne) {

    /** Reads the shared keys; the class's own defaults differ only in spacing and set_alpha_to_one. */
    static SchedulerConfig read(Config c, String className, String defaultSpacing, boolean defaultSetAlphaToOne) {
        SchedulerConfig s = new SchedulerConfig(c, className, c.getInt("num_train_timesteps", 1000),
                c.getDouble("beta_start", 0.0001), c.getDouble("beta_end", 0.02),
                c.getString("beta_schedule", "linear"), trainedBetas(c), c.getString("prediction_type", "epsilon"),
                c.getString("timestep_spacing", defaultSpacing), c.getInt("steps_offset", 0),
                c.getBoolean("set_alpha_to_one", defaultSetAlphaToOne));
        if (s.numTrainTimesteps < 2) {
            throw c.error("config key 'num_train_timesteps' must be >= 2, found " + s.numTrainTimesteps);
        }
        s.oneOf("beta_schedule", s.betaSchedule, List.of("linear", "scaled_linear", "squaredcos_cap_v2"));
        s.oneOf("prediction_type", s.predictionType, List.of("epsilon", "v_prediction", "sample"));
        s.oneOf("timestep_spacing", s.timestepSpacing, List.of("leading", "linspace", "trailing"));
        if (s.trainedBetas != null && s.trainedBetas.length != s.numTrainTimesteps) {
            throw c.error("config key 'trained_betas' has " + s.trainedBetas.length + " values for "
                    + s.numTrainTimesteps + " train timesteps");
        }
        return s;
    }

    /** torch.tensor(list, float32) rounds each Python float (a double) to float32. */
    private static float[] trainedBetas(Config c) {
        if (!c.has("trained_betas")) {
            return null;
        }
        JsonElement e = c.json().get("trained_betas");
        String rule = "config key 'trained_betas' must be a list of numbers or null";
        if (!e.isJsonArray()) {
            throw c.error(rule);
        }
        var a = e.getAsJsonArray();
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                throw c.error(rule + ", element " + i + " is " + x);
            }
            out[i] = (float) x.getAsDouble();
        }
        return out;
    }

    void oneOf(String key, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw error("config key '" + key + "' is '" + value + "'; supported: " + String.join(", ", allowed));
        }
    }

    /** A string key of this class restricted to the values we implement. */
    String string(String key, String fallback, List<String> allowed) {
        String v = source.getString(key, fallback);
        oneOf(key, v, allowed);
        return v;
    }

    /** Options we do not implement are refused rather than silently ignored. */
    void requireFalse(String key) {
        if (source.getBoolean(key, false)) {
            throw error(className + ": config key '" + key + "' true is not supported");
        }
    }

    /**
     * A float key as Python's json writes it: a number, or -Infinity/Infinity, which Gson reads
     * back as strings.
     */
    double pythonFloat(String key, double fallback) {
        if (!source.has(key)) {
            return fallback;
        }
        JsonElement e = source.json().get(key);
        String text = e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : "";
        if (text.equals("-Infinity")) {
            return Double.NEGATIVE_INFINITY;
        }
        if (text.equals("Infinity")) {
            return Double.POSITIVE_INFINITY;
        }
        // anything else is a number, or the typed getter's error naming the key
        return source.getDouble(key);
    }

    WeightFormatException error(String rule) {
        return source.error(rule);
    }
}
