package dev.conceptprune.spark;

import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import java.io.Serializable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The driver's side of a Spark run: a context started (or, under spark-submit, joined) at the first job,
 * so that a run with nothing left to do needs no cluster; one job per list of work items, one task per
 * item; progress advanced once per item stored, whichever attempt stored it; and the items' bad input
 * rethrown as the one-line error a local run gives.
 */
final class SparkJobs implements AutoCloseable {
    /** The local property under which Spark keeps a job's group. */
    private static final String JOB_GROUP = "spark.jobGroup.id";

    /** What one item did: the units it produced, or the one-line error of its bad input. */
    record Outcome(int done, String error) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final SparkConf conf;
    private final Progress progress;
    private final String what;
    private JavaSparkContext spark;
    /** Progress units by job group and partition, the stages' groups, and the items already counted. */
    private final Map<String, int[]> weights = new HashMap<>();
    /** The id of each group's accumulator of refused items, which progress does not count. */
    private final Map<String, Long> refusals = new HashMap<>();
    private final Map<String, Progress.Task> tasks = new HashMap<>();
    private final Map<Integer, String> stageGroups = new HashMap<>();
    private final Set<List<Object>> counted = new HashSet<>();

    /** @param what the command, naming the application and prefixing progress lines */
    SparkJobs(SparkSettings settings, String what, Progress progress) {
        conf = new SparkConf().setAppName("conceptprune " + what);
        if (settings.master() != null) {
            conf.setMaster(settings.master());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster(SparkSettings.LOCAL);
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.set("spark.ui.enabled", "false");
        }
        settings.conf().forEach(conf::set);
        this.what = what;
        this.progress = progress;
    }

    /**
     * Runs {@code work} on every item, one task each, and waits for all.
     *
     * @param group   names the job (unique within the run)
     * @param weights each item's units in {@code task}
     * @throws InputException with the first item's error
     */
    <T> void run(String group, String description, List<T> items, int[] weights,
                 Function<T, Outcome> work, Progress.Task task) {
        JavaSparkContext sc = context();
        LongAccumulator refused = sc.sc().longAccumulator("refused items of " + group);
        synchronized (counted) {
            this.weights.put(group, weights);
            tasks.put(group, task);
            refusals.put(group, refused.id());
        }
        sc.setJobGroup(group, description, false);
        List<Outcome> outcomes = sc.parallelize(items, items.size()).map(new Counted<>(work, refused)).collect();
        for (Outcome o : outcomes) {
            if (o.error() != null) {
                throw new InputException(o.error());
            }
        }
    }

    /** An item's work that also counts, in an accumulator the driver's listener reads, whether it was refused. */
    private record Counted<T>(Function<T, Outcome> work, LongAccumulator refused) implements Function<T, Outcome> {
        @Override
        public Outcome call(T item) throws Exception {
            Outcome o = work.call(item);
            if (o.error() != null) {
                refused.add(1);
            }
            return o;
        }
    }

    private JavaSparkContext context() {
        if (spark == null) {
            long start = System.nanoTime();
            spark = new JavaSparkContext(conf);
            spark.sc().addSparkListener(new SparkListener() {
                @Override
                public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
                    String group = submitted.properties() == null ? null
                            : submitted.properties().getProperty(JOB_GROUP);
                    synchronized (counted) {
                        stageGroups.put(submitted.stageInfo().stageId(), group);
                    }
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    count(end);
                }
            });
            progress.say("%s: Spark %s started in %.1f s (%d task slots)", what, spark.master(),
                    (System.nanoTime() - start) / 1e9, spark.defaultParallelism());
        }
        return spark;
    }

    private void count(SparkListenerTaskEnd end) {
        if (!end.taskInfo().successful()) {
            return;
        }
        int index = end.taskInfo().index();
        synchronized (counted) {
            String group = stageGroups.get(end.stageId());
            int[] w = weights.get(group);
            Progress.Task task = tasks.get(group);
            if (w != null && index < w.length && !refused(end, refusals.get(group))
                    && counted.add(List.of(end.stageId(), index)) && task != null) {
                task.advance(w[index]);
            }
        }
    }

    /** True when the task's update of accumulator {@code id} says its item was refused. */
    private static boolean refused(SparkListenerTaskEnd end, Long id) {
        if (id == null) {
            return false;
        }
        for (AccumulableInfo a : CollectionConverters.asJava(end.taskInfo().accumulables())) {
            if (a.id() == id && a.update().isDefined() && ((Number) a.update().get()).longValue() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Stops the context this run started and frees this JVM's executor state (in local mode it is the driver). */
    @Override
    public void close() {
        try {
            if (spark != null) {
                spark.close();
            }
        } finally {
            ExecutorPipelines.closeAll();
        }
    }
}
