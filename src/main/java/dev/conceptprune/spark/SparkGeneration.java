package dev.conceptprune.spark;

import dev.conceptprune.eval.EvalGenerator;
import dev.conceptprune.eval.EvalImage;
import dev.conceptprune.eval.EvalModel;
import dev.conceptprune.eval.EvalPlan;
import dev.conceptprune.eval.ImageBatch;
import dev.conceptprune.eval.ImageGeneration;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * An evaluation's images generated on Spark: the driver cuts each model's missing images into the
 * UNet batches a local run would make ({@link EvalGenerator#batches}), sends one batch per task,
 * and the executors store every image and its record in the shared output folder
 * ({@link BatchTask}). The driver then measures and reports from the folder as a local run does.
 */
public final class SparkGeneration implements ImageGeneration {
    /** The local property under which Spark keeps a job's group. */
    private static final String JOB_GROUP = "spark.jobGroup.id";

    private final SparkConf conf;
    private JavaSparkContext spark;
    private final SparkSettings settings;
    private final Path out;
    private final int batch;
    private final Progress progress;
    /** Batch sizes by job group and partition, the stages' groups, and the batches already counted. */
    private final Map<String, int[]> sizes = new HashMap<>();
    private final Map<Integer, String> stageGroups = new HashMap<>();
    private final Set<List<Object>> counted = new HashSet<>();
    private volatile Progress.Task task;

    /**
     * An engine that starts (or, under spark-submit, joins) its Spark context when there is something to
     * generate, so that a folder already complete needs no cluster.
     *
     * @param out   the output folder, on a path every executor sees
     * @param batch prompts per UNet batch
     */
    public SparkGeneration(SparkSettings settings, Path out, int batch, Progress progress) {
        conf = new SparkConf().setAppName("conceptprune eval");
        if (settings.master() != null) {
            conf.setMaster(settings.master());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster(SparkSettings.LOCAL);
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.set("spark.ui.enabled", "false");
        }
        settings.conf().forEach(conf::set);
        this.settings = settings;
        this.out = out.toAbsolutePath();
        this.batch = batch;
        this.progress = progress;
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
            progress.say("eval: Spark %s started in %.1f s (%d task slots)", spark.master(),
                    (System.nanoTime() - start) / 1e9, spark.defaultParallelism());
        }
        return spark;
    }

    @Override
    public void generate(EvalPlan plan, List<EvalImage> images, EvalGenerator generator, Progress.Task task) {
        this.task = task;
        for (EvalModel m : plan.models()) {
            List<EvalGenerator.Batch> batches = generator.batches(
                    images.stream().filter(i -> i.model().equals(m)).toList());
            if (batches.isEmpty()) {
                continue;
            }
            int[] missing = batches.stream().mapToInt(EvalGenerator.Batch::missing).toArray();
            progress.say("eval: %s: %d images in %d batches on Spark", m.name(), IntStream.of(missing).sum(),
                    batches.size());
            String group = "conceptprune-" + m.name();
            synchronized (counted) {
                sizes.put(group, missing);
            }
            JavaSparkContext sc = context();
            sc.setJobGroup(group, "images of " + m.name(), false);
            List<BatchTask.Outcome> outcomes = sc.parallelize(batches.stream().map(b -> ImageBatch.encode(b.images())).toList(),
                    batches.size()).map(new BatchTask(out, batch, settings.threads())).collect();
            for (BatchTask.Outcome o : outcomes) {
                if (o.error() != null) {
                    throw new InputException(o.error());
                }
            }
        }
    }

    /** Advances the driver's progress once per batch stored, whichever attempt stored it. */
    private void count(SparkListenerTaskEnd end) {
        if (!end.taskInfo().successful()) {
            return;
        }
        int index = end.taskInfo().index();
        synchronized (counted) {
            int[] batchSizes = sizes.get(stageGroups.get(end.stageId()));
            if (batchSizes != null && index < batchSizes.length && counted.add(List.of(end.stageId(), index))
                    && task != null) {
                task.advance(batchSizes[index]);
            }
        }
    }

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
