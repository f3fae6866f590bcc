package dev.conceptprune.cli;

import dev.conceptprune.eval.ImageGeneration;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.spark.SparkGeneration;
import dev.conceptprune.spark.SparkSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --engine}, {@code --master} and {@code --conf}: where the images are generated. */
public final class EngineOptions {
    @Option(names = "--engine", defaultValue = "local", paramLabel = "ENGINE",
            description = "Where the images are generated: local (this process, the default) or spark: one task per "
                    + "UNet batch on Apache Spark's executors, each image stored by content key in --out, which "
                    + "every executor must see (local disk in local mode, else NFS or another shared mount); the "
                    + "metrics and the report are the local run's (docs/SPARK.md).")
    String engine;

    @Option(names = "--master", paramLabel = "URL",
            description = "With --engine spark: the Spark master (default: local[*], or the one spark-submit sets), "
                    + "e.g. local[2], yarn, or a k8s:// or spark:// URL.")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "With --engine spark: one Spark configuration entry, passed through as spark-submit's "
                    + "--conf passes it; repeatable.")
    List<String> conf = new ArrayList<>();

    /**
     * The engine asked for, checked before any work; the caller closes it.
     *
     * @param out   the output folder
     * @param batch prompts per UNet batch
     */
    ImageGeneration open(Path out, int batch, Progress progress) {
        switch (engine) {
            case "local" -> {
                if (master != null || !conf.isEmpty()) {
                    throw new InputException("--master and --conf configure --engine spark");
                }
                return ImageGeneration.LOCAL;
            }
            case "spark" -> {
                SparkSettings s = ErrorHandler.option("--conf", () -> SparkSettings.of(master, conf, Runtime.threads()));
                return new SparkGeneration(s, out, batch, progress);
            }
            default -> throw new InputException("--engine must be local or spark, got '" + engine + "'");
        }
    }
}
