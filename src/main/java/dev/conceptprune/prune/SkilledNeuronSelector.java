package dev.conceptprune.prune;

/**
 * Step 2 and 3 of ConceptPrune for one layer: Wanda scores {@code |W_ij| * norm_j}, per row the
 * top {@code k = floor(skillRatio * inner)} target scores that also beat the base score, then
 * the union over the first {@code tau} UNet calls.
 */
public final class SkilledNeuronSelector {
    private final float[] absWeight;
    private final int rows;
    private final int cols;

    /** @param weight the {@code ff.net.2} weight, row-major [rows = dim, cols = inner] */
    public SkilledNeuronSelector(float[] weight, int rows, int cols) {
        if (weight.length != (long) rows * cols) {
            throw new IllegalArgumentException("weight has " + weight.length + " values, not " + rows + "x" + cols);
        }
        this.rows = rows;
        this.cols = cols;
        absWeight = new float[weight.length];
        for (int i = 0; i < weight.length; i++) {
            absWeight[i] = Math.abs(weight[i]);
        }
    }

    /** k for a skill ratio, as the reference computes it: {@code int(skill_ratio * in_features)}. */
    public int topK(double skillRatio) {
        return (int) (skillRatio * cols);
    }

    /** The skilled weights at one call: in the row's top-k of target scores and above the base score. */
    public boolean[] stepMask(float[] normBase, float[] normTarget, int k) {
        boolean[] mask = new boolean[absWeight.length];
        if (k <= 0) {
            return mask;
        }
        float[] scores = new float[cols];
        int[] heap = new int[k];
        for (int i = 0; i < rows; i++) {
            int off = i * cols;
            for (int j = 0; j < cols; j++) {
                scores[j] = absWeight[off + j] * normTarget[j];
            }
            int n = TopK.select(scores, k, heap);
            for (int h = 0; h < n; h++) {
                int j = heap[h];
                if (scores[j] > absWeight[off + j] * normBase[j]) {
                    mask[off + j] = true;
                }
            }
        }
        return mask;
    }

    /**
     * Final mask: a weight is pruned when it is skilled in more than {@code selectRatio * tau}
     * of the first {@code tau} calls. Returns the sorted flat indices.
     */
    public int[] unionMask(ColumnNorms base, ColumnNorms target, int layer, double skillRatio, int tau,
                           double selectRatio) {
        if (tau > base.calls() || tau > target.calls()) {
            throw new IllegalArgumentException("tau " + tau + " exceeds the " + Math.min(base.calls(), target.calls())
                    + " recorded UNet calls");
        }
        int k = topK(skillRatio);
        int[] counts = new int[absWeight.length];
        for (int t = 0; t < tau; t++) {
            boolean[] m = stepMask(base.norm(t, layer), target.norm(t, layer), k);
            for (int i = 0; i < m.length; i++) {
                if (m[i]) {
                    counts[i]++;
                }
            }
        }
        double threshold = selectRatio * tau;
        int n = 0;
        for (int c : counts) {
            if (c > threshold) {
                n++;
            }
        }
        int[] out = new int[n];
        int p = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > threshold) {
                out[p++] = i;
            }
        }
        return out;
    }
}
