package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.conceptprune.nn.Params;

/**
 * SDXL's added embedding ({@code addition_embed_type: text_time}): the sinusoidal embedding of
 * every time id ({@code add_time_proj}), flattened per row after the pooled text embedding,
 * through {@code add_embedding} (linear_1, SiLU, linear_2). The UNet adds it to the time embedding.
 */
final class TextTimeEmbedding {
    private final TimestepProjection timeIdProj;
    private final TimestepEmbedding embedding;

    TextTimeEmbedding(Params p, UNetConfig cfg) {
        timeIdProj = new TimestepProjection(p.manager(), cfg.additionTimeEmbedDim(), cfg.flipSinToCos(),
                cfg.freqShift());
        embedding = new TimestepEmbedding(p.sub("add_embedding"), cfg.additionInputDim(), cfg.timeEmbedDim());
    }

    /**
     * @param pooledText [B, P]
     * @param timeIds [B, K]
     * @return [B, timeEmbedDim], owned by {@code manager}
     */
    NDArray forward(NDManager manager, NDArray pooledText, NDArray timeIds) {
        long rows = timeIds.getShape().get(0);
        NDArray ids = timeIdProj.forward(manager, timeIds.toFloatArray()).reshape(rows, -1);
        NDArray joined = pooledText.concat(ids, 1);
        return embedding.forward(joined);
    }
}
