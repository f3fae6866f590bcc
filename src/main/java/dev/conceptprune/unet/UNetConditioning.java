package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * What a UNet call is conditioned on besides the sample and the timestep: diffusers'
 * {@code encoder_hidden_states} and {@code added_cond_kwargs}. The arrays stay the caller's.
 *
 * @param textStates encoder hidden states [B, S, D]
 * @param pooledText pooled text embeddings [B, P] ({@code added_cond_kwargs["text_embeds"]}, SDXL), or null
 * @param timeIds size and crop conditions [B, K] ({@code added_cond_kwargs["time_ids"]}, SDXL), or null
 */
public record UNetConditioning(NDArray textStates, NDArray pooledText, NDArray timeIds) {
    public UNetConditioning {
        Objects.requireNonNull(textStates, "textStates");
    }

    /** Text states only, as SD 1.x/2.x condition. */
    public static UNetConditioning text(NDArray textStates) {
        return new UNetConditioning(textStates, null, null);
    }

    /** True when pooled text embeddings or time ids are present. */
    public boolean hasAddedConditions() {
        return pooledText != null || timeIds != null;
    }
}
