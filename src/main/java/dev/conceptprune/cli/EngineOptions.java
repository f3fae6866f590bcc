package dev.conceptprune.cli;

import dev.conceptprune.attack.AttackExecution;
import dev.conceptprune.eval.ImageGeneration;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import dev.conceptprune.io.Staging;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.spark.HadoopStaging;
import dev.conceptprune.spark.SparkAttack;
import dev.conceptprune.spark.SparkGeneration;
import dev.conceptprune.spark.SparkSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --engine}, {@code --master} and {@code --conf}: where the images are generated or the prompts attacked. */
public final class EngineOptions {
    @Option(names = "--engine", defaultValue = "local", paramLabel = "ENGINE",
            description = "Where the work runs: local (this process, the default) or spark: Apache Spark's executors, "
                    + "one task per UNet batch (eval) or per prompt (attack --method unlearndiffatk), each result "
                    + "stored by content key in --out, which every executor must see, as it must see the models "
                    + "(local disk in local mode, else NFS or another shared mount, or a URI of one of Hadoop's file "
                    + "systems, such as hdfs or s3a, staged through a local copy); the metrics and "
                    + "the report are the local run's (docs/SPARK.md).")
    String engine;

    @Option(names = "--master", paramLabel = "URL",
            description = "With --engine spark: where Spark runs the tasks: in this process with N task slots "
                    + "(local[N]; by default local[*], every core), on YARN (yarn), on Kubernetes or a standalone "
                    + "cluster (its k8s:// or spark:// URL); under spark-submit its own master by default.")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "With --engine spark: one Spark configuration entry, passed through as spark-submit's "
                    + "--conf passes it; repeatable.")
    List<String> conf = new ArrayList<>();

    /** The run's locations, made once: the images or attack engine uses the same. */
    private Staging staging;
    private HadoopStaging hadoop;

    /**
     * Where the command's files are: local paths for --engine local, also Hadoop file system URIs for
     * --engine spark; checked before any work.
     */
    Staging staging() {
        if (staging == null) {
            SparkSettings s = spark();
            if (s == null) {
                staging = Staging.LOCAL;
            } else {
                hadoop = new HadoopStaging(s);
                staging = hadoop;
            }
        }
        return staging;
    }

    /**
     * The image engine asked for, checked before any work; the caller closes it.
     *
     * @param out   the output folder
     * @param batch prompts per UNet batch
     */
    ImageGeneration images(Path out, int batch, Progress progress) {
        SparkSettings s = spark();
        staging();
        return s == null ? ImageGeneration.LOCAL : new SparkGeneration(s, out, batch, hadoop, progress);
    }

    /** The attack engine asked for, checked before any work; the caller closes it. */
    AttackExecution attacks(Progress progress) {
        SparkSettings s = spark();
        if (s != null && Runtime.selected().device().isGpu()) {
            throw new InputException("attack --engine spark runs on the executors' CPUs: drop --device "
                    + Runtime.name(Runtime.selected().device()) + " (a local attack runs on it)");
        }
        staging();
        return s == null ? AttackExecution.LOCAL : new SparkAttack(s, hadoop, progress);
    }

    /** Refuses every engine option of a command part that runs only in this process; {@code what} names it. */
    void refuse(String what) {
        if (!engine.equals("local") || master != null || !conf.isEmpty()) {
            throw new InputException("--engine, --master and --conf do not go with " + what
                    + ": it runs in this process");
        }
    }

    /** The Spark settings, or null for --engine local. */
    private SparkSettings spark() {
        switch (engine) {
            case "local" -> {
                if (master != null || !conf.isEmpty()) {
                    throw new InputException("--master and --conf configure --engine spark");
                }
                return null;
            }
            case "spark" -> {
                return ErrorHandler.option("--conf", () -> SparkSettings.of(master, conf, Runtime.threads()));
            }
            default -> throw new InputException("--engine must be local or spark, got '" + engine + "'");
        }
    }
}
