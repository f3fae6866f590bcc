package dev.conceptprune.prune;

import ai.djl.ndarray.NDArray;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.unet.FeedForwardObserver;
import dev.conceptprune.unet.UNetConditioning;

/**
 * Observes the activations entering the pruned weights and adds their L2-row-normalised column
 * sums of squares to the statistics of the prompt set each batch row belongs to. Only the
 * first {@code tau} UNet calls are recorded; nothing per token is kept.
 */
public final class ActivationRecorder implements FeedForwardObserver, ClipTextModel.MlpObserver, StepListener {
    private final PruneSite site;
    private final ColumnNorms[] sets;
    private final int tau;
    private int[] rowSet = new int[0];
    private int call = -1;

    /** @param sets statistics per prompt set (e.g. base and target) */
    public ActivationRecorder(PruneSite site, int tau, ColumnNorms... sets) {
        this.site = site;
        this.tau = tau;
        this.sets = sets;
    }

    /** The set of each row of the coming batches, as last assigned. */
    public int[] assignedRows() {
        return rowSet.clone();
    }

    /** Which set each row of the coming batches belongs to (-1 = not counted). */
    public void assignRows(int... setOfRow) {
        this.rowSet = setOfRow.clone();
    }

    @Override
    public void beforeUnetCall(int callIndex, int totalCalls, float timestep) {
        this.call = callIndex;
    }

    @Override
    public void onGeglu(int layer, NDArray x) {
        if (site == PruneSite.FFN2) {
            record(layer, x);
        }
    }

    @Override
    public void onFeedForwardInput(int layer, NDArray x) {
        if (site == PruneSite.FFN1) {
            record(layer, x);
        }
    }

    @Override
    public void onFc2Input(int layer, NDArray x) {
        if (site == PruneSite.TEXT_MLP) {
            call = 0;
            record(layer, x);
        }
    }

    /**
     * Records the conditioning's text states [B, tokens, D] for every layer at once: the input of
     * all attn2 key/value projections.
     */
    public void recordTextStates(UNetConditioning conditioning, int layers) {
        NDArray textStates = conditioning.textStates();
        call = 0;
        float[] sums = columnSums(textStates);
        for (int l = 0; l < layers; l++) {
            add(l, sums, (int) textStates.getShape().get(2));
        }
    }

    /** Adds the statistics of activations [B, tokens, width] at layer l of the current call. */
    public void record(int layer, NDArray x) {
        if (call < 0 || call >= tau) {
            return;
        }
        add(layer, columnSums(x), (int) x.getShape().get(2));
    }

    private void add(int layer, float[] sums, int width) {
        for (int b = 0; b < rowSet.length; b++) {
            if (rowSet[b] >= 0) {
                sets[rowSet[b]].add(call, layer, sums, b * width);
            }
        }
    }

    /** Per batch row, the column sums over tokens of x^2 / max(||x||^2, 1e-24): flat [B * width]. */
    private float[] columnSums(NDArray x) {
        long batch = x.getShape().get(0);
        if (batch != rowSet.length) {
            throw new IllegalStateException("batch of " + batch + " rows, " + rowSet.length + " assigned");
        }
        try (NDArray sq = x.square();
             NDArray rowSq = sq.sum(new int[] {2}, true);
             NDArray rowNorm = rowSq.maximum(1e-24f);
             NDArray normed = sq.div(rowNorm);
             NDArray colSums = normed.sum(new int[] {1})) {
            return colSums.toFloatArray();
        }
    }
}
