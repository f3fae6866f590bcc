package dev.conceptprune.cli;

import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.Residency;
import dev.conceptprune.pipeline.SamplingMemory;

/** Tells the user when a run's memory plan is not the plain one (components taking turns). */
final class MemoryPlanNote {
    private MemoryPlanNote() {
    }

    /** One progress line with the plan when the text encoders and the UNet take turns. */
    static void say(SamplingMemory.Estimate plan, Progress progress) {
        if (plan.residency() == Residency.STAGED) {
            progress.say("memory: the weights do not fit together; plan: %s", plan.plan());
        }
    }
}
