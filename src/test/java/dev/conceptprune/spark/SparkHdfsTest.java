package dev.conceptprune.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An evaluation on Spark with the model and the output folder on a real HDFS (Hadoop's MiniDFSCluster in
 * this JVM: a name node and a data node, reached over hdfs://localhost:PORT): the images in HDFS are the
 * local run's bytes.
 */
class SparkHdfsTest {
    @TempDir
    Path tmp;

    @Test
    void anEvaluationWithModelAndOutputInHdfsEqualsTheLocalOne() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            String hdfs = "hdfs://localhost:" + cluster.getNameNodePort();
            FileSystem fs = cluster.getFileSystem();
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(Fixtures.TOYWORLD.toAbsolutePath().toUri()),
                    new org.apache.hadoop.fs.Path("/models/toy"));
            Path prompts = tmp.resolve("prompts.txt");
            Files.writeString(prompts, "a red star on grass\na blue circle in the sky in the style of Stripes\n");
            List<String> args = List.of("--threads", "2", "eval", "--prompts", prompts.toString(), "--steps", "4",
                    "--batch", "2");
            CliRun local = CliRun.run(SparkEvalTest.concat(args, "--model", Fixtures.TOYWORLD.toString(), "--name",
                    "toy", "--out", tmp.resolve("local").toString()));
            assertEquals(0, local.code(), local.err());
            List<String> onHdfs = SparkEvalTest.concat(args, "--model", hdfs + "/models/toy", "--out",
                    hdfs + "/eval", "--engine", "spark", "--master", "local[2]", "--conf",
                    HadoopStaging.ROOT_SETTING + "=" + tmp.resolve("staging"));
            CliRun spark = CliRun.run(onHdfs);
            assertEquals(0, spark.code(), spark.err());
            assertTrue(spark.out().contains("2 images: 2 generated, 0 reused"), spark.out());
            assertSameInHdfs(fs, 2);

            // HDFS does not rename over a file: the second run replaces the manifest, metrics and report.
            fs.delete(new org.apache.hadoop.fs.Path("/eval/images/toy/1.png"), false);
            long before = fs.getFileStatus(new org.apache.hadoop.fs.Path("/eval/manifest.jsonl")).getModificationTime();
            CliRun again = CliRun.run(onHdfs);
            assertEquals(0, again.code(), again.err());
            assertTrue(again.out().contains("2 images: 1 generated, 1 reused"), again.out());
            assertSameInHdfs(fs, 2);
            assertTrue(fs.getFileStatus(new org.apache.hadoop.fs.Path("/eval/manifest.jsonl")).getModificationTime()
                    > before, "the manifest was written again");
        } finally {
            cluster.shutdown();
        }
    }

    /** The local run's PNGs are in HDFS byte for byte, beside the manifest, the metrics and the report. */
    private void assertSameInHdfs(FileSystem fs, int count) throws IOException {
        List<Path> pngs;
        try (Stream<Path> s = Files.walk(tmp.resolve("local/images"))) {
            pngs = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertEquals(count, pngs.size());
        for (Path png : pngs) {
            String rel = tmp.resolve("local").relativize(png).toString();
            try (InputStream in = fs.open(new org.apache.hadoop.fs.Path("/eval/" + rel))) {
                assertArrayEquals(Files.readAllBytes(png), in.readAllBytes(), rel);
            }
        }
        for (String f : List.of("manifest.jsonl", "metrics.json", "report.html")) {
            assertTrue(fs.isFile(new org.apache.hadoop.fs.Path("/eval/" + f)), f + " in HDFS");
        }
    }
}
