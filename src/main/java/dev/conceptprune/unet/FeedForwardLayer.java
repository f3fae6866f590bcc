package dev.conceptprune.unet;

/**
 * One transformer block's feed-forward output projection.
 *
 * @param name the diffusers module name, e.g. {@code down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2}
 * @param dim the block width (rows of the {@code ff.net.2} weight)
 * @param inner the GEGLU width (columns of the {@code ff.net.2} weight)
 */
public record FeedForwardLayer(int index, String name, int dim, int inner) {
}
