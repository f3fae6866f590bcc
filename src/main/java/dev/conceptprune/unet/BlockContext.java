package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;

/**
 * What every block of one UNet call shares.
 *
 * @param timeAct SiLU of the time embedding [1, timeDim] (each resnet applies SiLU first, so it is done once)
 * @param text encoder hidden states [B, S, D]
 * @param observer feed-forward observer, or null
 */
record BlockContext(NDArray timeAct, NDArray text, FeedForwardObserver observer) {
}
