package dev.conceptprune.spark;

import dev.conceptprune.attack.PromptAttackPlan;
import dev.conceptprune.attack.PromptAttackRequest;
import dev.conceptprune.attack.PromptAttacker;
import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.DetectorFactory;
import dev.conceptprune.io.Hashing;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import org.apache.spark.api.java.function.Function;

/**
 * An executor's part of a Spark attack: one prompt, attacked with the JVM's attacker and stored (images,
 * then the record) in the shared output folder. A retried or speculative copy finds the record and does
 * nothing; bad input comes back as the outcome's error instead of being retried.
 */
final class AttackTask implements Function<Integer, SparkJobs.Outcome> {
    private static final long serialVersionUID = 1L;

    /** The request as JSON (paths are not serialisable). */
    private final String request;
    private final DetectorFactory judge;
    private final String identity;
    private final int threads;

    AttackTask(PromptAttackPlan plan, int threads) {
        this.request = Json.line(plan.request());
        this.judge = plan.judge();
        this.identity = plan.identity();
        this.threads = threads;
    }

    @Override
    public SparkJobs.Outcome call(Integer prompt) {
        PromptAttackPlan plan = new PromptAttackPlan(Json.compact().fromJson(request, PromptAttackRequest.class),
                judge, identity);
        if (plan.finished(prompt) != null) {
            return new SparkJobs.Outcome(0, null);
        }
        try {
            // The attacker holds the request (prompts, folder) besides the models: its key covers both.
            return ExecutorPipelines.with("attack " + Hashing.sha256(identity + "\n" + request), PromptAttacker.class,
                    threads, () -> load(plan),
                    attacker -> {
                        attacker.attack(prompt);
                        return new SparkJobs.Outcome(1, null);
                    });
        } catch (InputException e) {
            return new SparkJobs.Outcome(0, e.getMessage());
        }
    }

    /** The plan's attacker, once this JVM's view of the models and the detector gives the driver's identity. */
    private static PromptAttacker load(PromptAttackPlan plan) {
        try (Detector d = plan.judge() == null ? null : plan.judge().open()) {
            if (!PromptAttackPlan.identity(plan.request(), d).equals(plan.identity())) {
                throw new InputException(plan.request().model() + " or " + plan.request().referenceModel()
                        + " (or the detector's files) differ on this executor from the driver's: every executor "
                        + "must see the same files");
            }
        }
        return plan.open();
    }
}
