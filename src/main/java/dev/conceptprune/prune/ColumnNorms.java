package dev.conceptprune.prune;

/**
 * Per (UNet call t, layer l) column statistics of one prompt set: the sum over all observed
 * rows of the squared L2-row-normalised activations, kept in double so that the order in
 * which prompts (or batches) arrive does not matter beyond float rounding.
 */
public final class ColumnNorms {
    private final double[][][] sumSquares;

    /** Empty statistics for {@code calls} UNet calls and layers of the given widths. */
    public ColumnNorms(int calls, int[] widths) {
        sumSquares = new double[calls][widths.length][];
        for (int t = 0; t < calls; t++) {
            for (int l = 0; l < widths.length; l++) {
                sumSquares[t][l] = new double[widths[l]];
            }
        }
    }

    /** Statistics from stored norms {@code norms[t][l][j]} (e.g. a reference file). */
    public static ColumnNorms fromNorms(float[][][] norms) {
        int[] widths = new int[norms[0].length];
        for (int l = 0; l < widths.length; l++) {
            widths[l] = norms[0][l].length;
        }
        ColumnNorms c = new ColumnNorms(norms.length, widths);
        for (int t = 0; t < norms.length; t++) {
            for (int l = 0; l < widths.length; l++) {
                for (int j = 0; j < widths[l]; j++) {
                    double v = norms[t][l][j];
                    c.sumSquares[t][l][j] = v * v;
                }
            }
        }
        return c;
    }

    public int calls() {
        return sumSquares.length;
    }

    public int layers() {
        return sumSquares[0].length;
    }

    /** Width (inner dimension) of layer l. */
    public int width(int layer) {
        return sumSquares[0][layer].length;
    }

    /** Adds column sums of squares observed at (t, l). */
    public void add(int call, int layer, float[] columnSums, int offset) {
        double[] acc = sumSquares[call][layer];
        for (int j = 0; j < acc.length; j++) {
            acc[j] += columnSums[offset + j];
        }
    }

    /** Adds all statistics of another set of the same shape. */
    public void addAll(ColumnNorms other) {
        for (int t = 0; t < calls(); t++) {
            for (int l = 0; l < layers(); l++) {
                double[] acc = sumSquares[t][l];
                double[] o = other.sumSquares[t][l];
                for (int j = 0; j < acc.length; j++) {
                    acc[j] += o[j];
                }
            }
        }
    }

    /** {@code norm[t][l][j] = sqrt(sum of squares)} in float32, as the method scores with it. */
    public float[] norm(int call, int layer) {
        double[] acc = sumSquares[call][layer];
        float[] out = new float[acc.length];
        for (int j = 0; j < acc.length; j++) {
            out[j] = (float) Math.sqrt(acc[j]);
        }
        return out;
    }

    /** Raw sums of squares, for checkpoints. */
    public double[] sumSquares(int call, int layer) {
        return sumSquares[call][layer];
    }
}
