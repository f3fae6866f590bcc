package dev.conceptprune.scheduler;

import dev.conceptprune.weights.Config;
import java.nio.file.Path;
import java.util.Map;

/** Builds schedulers from a diffusers {@code scheduler_config.json}. */
public final class Schedulers {
    private static final Map<String, String> KINDS = Map.of(
            "PNDMScheduler", "pndm", "DDIMScheduler", "ddim",
            "EulerDiscreteScheduler", "euler", "DPMSolverMultistepScheduler", "dpm++");

    private Schedulers() {
    }

    /**
     * The scheduler of the config file, or the named {@code kind} (pndm, ddim, euler, dpm++) built
     * from the same file; keys the file lacks take the built class's defaults, as diffusers'
     * {@code from_config} does.
     */
    public static Scheduler fromConfigFile(Path file, String kind) {
        return fromConfig(Config.read(file), kind);
    }

    /** As {@link #fromConfigFile}, from a parsed config. */
    public static Scheduler fromConfig(Config c, String kind) {
        String k = kind;
        if (k == null) {
            String cls = c.getString("_class_name");
            k = KINDS.get(cls);
            if (k == null) {
                throw c.error("scheduler class '" + cls + "' is not supported; supported: " + String.join(", ", KINDS.keySet())
                        + " (or choose one with --scheduler)");
            }
        }
        return switch (k) {
            case "pndm" -> {
                if (!c.getBoolean("skip_prk_steps", false)) {
                    throw c.error("PNDMScheduler with skip_prk_steps false (PRK warm-up) is not supported;"
                            + " set skip_prk_steps true as Stable Diffusion does");
                }
                yield new PndmScheduler(SchedulerConfig.read(c, false, "leading"));
            }
            case "ddim" -> new DdimScheduler(SchedulerConfig.read(c, true, "leading"));
            case "euler" -> new EulerDiscreteScheduler(SchedulerConfig.read(c, false, "linspace"));
            case "dpm++" -> new DpmSolverMultistepScheduler(SchedulerConfig.read(c, false, "linspace"));
            default -> throw new IllegalArgumentException("unknown scheduler '" + k + "'; choose pndm, ddim, euler or dpm++");
        };
    }
}
