package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;

/**
 * Sees the activations of every transformer block's feed-forward as the UNet runs: the GEGLU
 * output entering {@code ff.net.2} and, optionally, the normed input entering {@code ff.net.0.proj}.
 */
@FunctionalInterface
public interface FeedForwardObserver {
    /**
     * Called once per transformer block per UNet call, in execution order.
     *
     * @param layerIndex index into {@link UNet2DConditionModel#feedForwardLayers()}
     * @param gegluOutput the GEGLU output [B, tokens, inner]; the live array, valid only during
     *        this call: read or copy it, never close or modify it
     */
    void onGeglu(int layerIndex, NDArray gegluOutput);

    /**
     * Called before {@link #onGeglu} with the feed-forward's input [B, tokens, dim] (the input of
     * {@code ff.net.0.proj}); same lifetime rules. Ignored unless overridden.
     */
    default void onFeedForwardInput(int layerIndex, NDArray input) {
    }
}
