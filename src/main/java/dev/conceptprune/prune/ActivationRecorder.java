package dev.conceptprune.prune;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.unet.FeedForwardObserver;

/**
 * Observes the GEGLU outputs (inputs of {@code ff.net.2}) during sampling and adds their
 * L2-row-normalised column sums of squares to the statistics of the prompt set each batch
 * row belongs to. Only the first {@code tau} UNet calls are recorded; nothing per token is kept.
 */
public final class ActivationRecorder implements FeedForwardObserver, StepListener {
    private final ColumnNorms[] sets;
    private final int tau;
    private int[] rowSet = new int[0];
    private int call = -1;

    /** @param sets statistics per prompt set (e.g. base and target) */
    public ActivationRecorder(int tau, ColumnNorms... sets) {
        this.tau = tau;
        this.sets = sets;
    }

    /** Which set each row of the coming UNet batches belongs to (-1 = not counted). */
    public void assignRows(int... setOfRow) {
        this.rowSet = setOfRow.clone();
    }

    @Override
    public void beforeUnetCall(int callIndex, int totalCalls, float timestep) {
        this.call = callIndex;
    }

    @Override
    public void onGeglu(int layer, NDArray x) {
        if (call < 0 || call >= tau) {
            return;
        }
        long batch = x.getShape().get(0);
        if (batch != rowSet.length) {
            throw new IllegalStateException("UNet batch of " + batch + " rows, " + rowSet.length + " assigned");
        }
        int width = (int) x.getShape().get(2);
        float[] sums;
        try (NDArray sq = x.square();
             NDArray rowSq = sq.sum(new int[] {2}, true);
             NDArray rowNorm = rowSq.maximum(1e-24f);
             NDArray normed = sq.divi(rowNorm);
             NDArray colSums = normed.sum(new int[] {1})) {
            sums = colSums.toFloatArray();
        }
        for (int b = 0; b < rowSet.length; b++) {
            if (rowSet[b] >= 0) {
                sets[rowSet[b]].add(call, layer, sums, b * width);
            }
        }
    }
}
