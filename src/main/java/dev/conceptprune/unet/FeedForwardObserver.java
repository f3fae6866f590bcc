package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;

/** Sees the activations entering every transformer block's {@code ff.net.2}, as the UNet runs. */
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
}
