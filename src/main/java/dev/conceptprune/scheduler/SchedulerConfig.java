package dev.conceptprune.scheduler;

import dev.conceptprune.weights.Config;
import dev.conceptprune.weights.WeightFormatException;
import java.util.List;

/**
 * The keys every scheduler reads, with the instantiated class's defaults for keys the file
 * lacks (as diffusers' {@code from_config} does).
 */
record SchedulerConfig(Config source, int numTrainTimesteps, double betaStart, double betaEnd, String betaSchedule,
                       float[] trainedBetas, String predictionType, String timestepSpacing, int stepsOffset,
                       boolean setAlphaToOne) {

    static SchedulerConfig read(Config c, boolean defaultSetAlphaToOne, String defaultSpacing) {
        float[] trained = null;
        if (c.has("trained_betas")) {
            if (!c.json().get("trained_betas").isJsonArray()) {
                throw c.error("config key 'trained_betas' must be a list of numbers or null");
            }
            var a = c.json().getAsJsonArray("trained_betas");
            trained = new float[a.size()];
            for (int i = 0; i < trained.length; i++) {
                trained[i] = a.get(i).getAsFloat();
            }
        }
        SchedulerConfig s = new SchedulerConfig(c, c.getInt("num_train_timesteps", 1000),
                c.getDouble("beta_start", 0.0001), c.getDouble("beta_end", 0.02),
                c.getString("beta_schedule", "linear"), trained, c.getString("prediction_type", "epsilon"),
                c.getString("timestep_spacing", defaultSpacing), c.getInt("steps_offset", 0),
                c.getBoolean("set_alpha_to_one", defaultSetAlphaToOne));
        if (s.numTrainTimesteps < 2) {
            throw c.error("config key 'num_train_timesteps' must be >= 2, found " + s.numTrainTimesteps);
        }
        oneOf(c, "beta_schedule", s.betaSchedule, List.of("linear", "scaled_linear", "squaredcos_cap_v2"));
        oneOf(c, "prediction_type", s.predictionType, List.of("epsilon", "v_prediction", "sample"));
        oneOf(c, "timestep_spacing", s.timestepSpacing, List.of("leading", "linspace", "trailing"));
        if (trained != null && trained.length != s.numTrainTimesteps) {
            throw c.error("config key 'trained_betas' has " + trained.length + " values for "
                    + s.numTrainTimesteps + " train timesteps");
        }
        return s;
    }

    static void oneOf(Config c, String key, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw new WeightFormatException(c.file(), "config key '" + key + "' is '" + value + "'; supported: "
                    + String.join(", ", allowed));
        }
    }

    WeightFormatException error(String rule) {
        return source.error(rule);
    }
}
