package dev.conceptprune.metrics;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import java.nio.file.Path;

/** The eval-instruments FID fixture: feature sets {@code a} (200 x 64) and {@code b} (180 x 64), float64. */
final class FidFixture {
    static final Path DIR = Fixtures.ROOT.resolve("eval-instruments/fid");
    /** reference.json's frechet_distance (numpy cov, scipy sqrtm real part). */
    static final double FRECHET_DISTANCE = 17.454042870962837;
    /** reference.json's kid_unbiased_full_sets. */
    static final double KID = 0.3741406284544291;

    private FidFixture() {
    }

    static double[][] rows(String name) {
        try (SafetensorsFile f = SafetensorsFile.open(DIR.resolve("features.safetensors"))) {
            TensorInfo info = f.info(name);
            int[] shape = info.intShape();
            double[] flat = f.readDoubles(name);
            double[][] rows = new double[shape[0]][shape[1]];
            for (int i = 0; i < shape[0]; i++) {
                System.arraycopy(flat, i * shape[1], rows[i], 0, shape[1]);
            }
            return rows;
        }
    }

    static double[][] head(double[][] rows, int n) {
        double[][] out = new double[n][];
        System.arraycopy(rows, 0, out, 0, n);
        return out;
    }
}
