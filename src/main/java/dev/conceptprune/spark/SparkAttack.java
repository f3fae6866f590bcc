package dev.conceptprune.spark;

import dev.conceptprune.attack.AttackExecution;
import dev.conceptprune.attack.PromptAttackPlan;
import dev.conceptprune.attack.PromptAttackRequest;
import dev.conceptprune.io.Progress;
import java.util.Arrays;
import java.util.List;

/**
 * An attack's prompts attacked on Spark, one task per prompt: each executor JVM loads the attacked and
 * reference models once and attacks every prompt it is given, writing images and records into the shared
 * output folder; the driver then writes the manifest, the metrics and the report from the records, as a
 * local run does.
 */
public final class SparkAttack implements AttackExecution {
    private final SparkJobs jobs;
    private final SparkSettings settings;
    private final Progress progress;
    private final HadoopStaging staging;

    /**
     * An engine that starts its Spark context when there is a prompt to attack.
     *
     * @param staging the run's locations (remote inputs, the output folder's mirror)
     */
    public SparkAttack(SparkSettings settings, HadoopStaging staging, Progress progress) {
        this.jobs = new SparkJobs(settings, "attack", progress);
        this.settings = settings;
        this.staging = staging;
        this.progress = progress;
    }

    @Override
    public void attack(PromptAttackPlan plan, List<Integer> pending, Progress.Task task) {
        PromptAttackRequest r = plan.request();
        // Executors start elsewhere: the folder they write to must not depend on their working directory.
        PromptAttackRequest absolute = new PromptAttackRequest(r.model(), r.referenceModel(), r.prompts(),
                r.targetPrompts(), r.seeds(), r.search(), r.sampling(), r.conceptLabel(), r.out().toAbsolutePath(),
                r.force());
        progress.say("attack: %d prompts on Spark", pending.size());
        int[] ones = new int[pending.size()];
        Arrays.fill(ones, 1);
        // The executors judge what is stored from the remote folder: it gets the driver's claim first.
        staging.publish();
        try {
            jobs.run("conceptprune-attack", "prompts of " + r.model(), pending, ones,
                    new AttackTask(new PromptAttackPlan(absolute, plan.judge(), plan.identity()),
                            ExecutorCompute.withThreads(settings.threads()), staging.executorInputs(), staging.mirror()),
                    task);
        } finally {
            staging.refresh();
        }
    }

    @Override
    public void close() {
        jobs.close();
    }
}
