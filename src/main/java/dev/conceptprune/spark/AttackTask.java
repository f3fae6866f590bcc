package dev.conceptprune.spark;

import dev.conceptprune.attack.PromptAttackPlan;
import dev.conceptprune.attack.PromptAttackRequest;
import dev.conceptprune.attack.PromptAttacker;
import dev.conceptprune.eval.Detector;
import dev.conceptprune.eval.DetectorFactory;
import dev.conceptprune.io.Hashing;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Json;
import java.util.List;
import org.apache.spark.api.java.function.Function;

/**
 * An executor's part of a Spark attack: one prompt, attacked with the JVM's attacker and stored (images,
 * then the record) in the shared output folder. A retried or speculative copy finds the record and does
 * nothing; bad input comes back as the outcome's error instead of being retried. With an output folder on
 * a Hadoop file system the task works in its machine's mirror of it: it fetches the prompt's files that are
 * stored there, and uploads the ones it wrote.
 */
final class AttackTask implements Function<Integer, SparkJobs.Outcome> {
    private static final long serialVersionUID = 1L;

    /** The request as JSON (paths are not serialisable). */
    private final String request;
    private final DetectorFactory judge;
    private final String identity;
    private final ExecutorCompute compute;
    private final StagedInputs inputs;
    private final OutputMirror mirror;

    /**
     * @param inputs the remote inputs to stage on the executor before its first load
     * @param mirror the output folder's mirror (the request's folder is its local folder), or null when the
     *               output folder is shared
     */
    AttackTask(PromptAttackPlan plan, ExecutorCompute compute, StagedInputs inputs, OutputMirror mirror) {
        this.request = Json.line(plan.request());
        this.judge = plan.judge();
        this.identity = plan.identity();
        this.compute = compute;
        this.inputs = inputs;
        this.mirror = mirror;
    }

    @Override
    public SparkJobs.Outcome call(Integer prompt) {
        PromptAttackPlan plan = new PromptAttackPlan(Json.compact().fromJson(request, PromptAttackRequest.class),
                judge, identity);
        List<String> files = PromptAttacker.files(plan.request(), identity, prompt);
        if (mirror != null) {
            mirror.pull(files);
        }
        if (plan.finished(prompt) != null) {
            if (mirror != null) {
                mirror.push(files);
            }
            return new SparkJobs.Outcome(0, null);
        }
        try {
            // The attacker holds the request (prompts, folder) besides the models: its key covers both.
            SparkJobs.Outcome done = ExecutorPipelines.with("attack " + Hashing.sha256(identity + "\n" + request),
                    PromptAttacker.class, compute, () -> load(plan),
                    attacker -> {
                        attacker.attack(prompt);
                        return new SparkJobs.Outcome(1, null);
                    });
            if (mirror != null) {
                mirror.push(files);
            }
            return done;
        } catch (InputException e) {
            return new SparkJobs.Outcome(0, e.getMessage());
        }
    }

    /** The plan's attacker, once this JVM's view of the models and the detector gives the driver's identity. */
    private PromptAttacker load(PromptAttackPlan plan) {
        inputs.stageAll();
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
