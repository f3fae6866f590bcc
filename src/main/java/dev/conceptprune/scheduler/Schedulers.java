package dev.conceptprune.scheduler;

import com.google.gson.JsonObject;
import dev.conceptprune.model.Component;
import dev.conceptprune.io.Config;
import dev.conceptprune.model.ModelSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds schedulers from a diffusers {@code scheduler_config.json}. */
public final class Schedulers {
    private static final Map<String, String> KIND_OF_CLASS = new LinkedHashMap<>();

    static {
        KIND_OF_CLASS.put("PNDMScheduler", "pndm");
        KIND_OF_CLASS.put("DDIMScheduler", "ddim");
        KIND_OF_CLASS.put("EulerDiscreteScheduler", "euler");
        KIND_OF_CLASS.put("DPMSolverMultistepScheduler", "dpm++");
    }

    private Schedulers() {
    }

    /**
     * The scheduler of the config file ({@code _class_name}) when {@code kindOrNull} is null, else
     * the named kind (pndm, ddim, euler, dpm++) built from the same file. Keys the file lacks take
     * the built class's defaults, as diffusers' {@code from_config} does.
     */
    public static Scheduler fromConfigFile(Path schedulerConfigJson, String kindOrNull) {
        return build(Config.read(schedulerConfigJson), kindOrNull);
    }

    /** As {@link #fromConfigFile}, from the scheduler config of a model. */
    public static Scheduler from(ModelSource source, String kindOrNull) {
        return build(source.config(Component.SCHEDULER), kindOrNull);
    }

    /** As {@link #fromConfigFile}, from parsed JSON; {@code sourceForErrors} names it in errors. */
    public static Scheduler fromConfig(JsonObject config, String kindOrNull, Path sourceForErrors) {
        return build(new Config(sourceForErrors, config), kindOrNull);
    }

    private static Scheduler build(Config c, String kindOrNull) {
        String kind = kindOrNull;
        if (kind == null) {
            String cls = c.getString("_class_name");
            kind = KIND_OF_CLASS.get(cls);
            if (kind == null) {
                throw c.error("scheduler class '" + cls + "' is not supported; supported: "
                        + String.join(", ", KIND_OF_CLASS.keySet()) + " (or choose a kind explicitly)");
            }
        }
        return switch (kind) {
            case "pndm" -> new PndmScheduler(SchedulerConfig.read(c, "PNDMScheduler", "leading", false));
            case "ddim" -> new DdimScheduler(SchedulerConfig.read(c, "DDIMScheduler", "leading", true));
            case "euler" -> new EulerDiscreteScheduler(SchedulerConfig.read(c, "EulerDiscreteScheduler", "linspace",
                    false));
            case "dpm++" -> new DpmSolverMultistepScheduler(SchedulerConfig.read(c, "DPMSolverMultistepScheduler",
                    "linspace", false));
            default -> throw new IllegalArgumentException("unknown scheduler kind '" + kind + "'; supported: "
                    + String.join(", ", KIND_OF_CLASS.values()));
        };
    }
}
