package dev.conceptprune.model.ldm;

import dev.conceptprune.model.Component;

/**
 * A text encoder's structure as the stored shapes and key counts show it.
 *
 * @param storedBlocks transformer blocks in the file
 * @param layers the blocks the text encoder runs: all, except SD 2.x's last, since SD 2 takes the
 *               penultimate block's output and diffusers' SD 2 text encoder lacks the last block
 *               (SDXL's second encoder keeps every block: its pipeline picks the penultimate state itself)
 * @param projectionDim width of the stored text projection, or the hidden size when there is none
 */
public record TextLayout(int vocabSize, int hiddenSize, int storedBlocks, int layers, int intermediateSize,
                         int maxPositions, int projectionDim) {

    /** Reads the structure of the text encoder {@code c} from the tensors under its prefix. */
    static TextLayout infer(LdmFamily family, Component c, TensorShapes s) {
        String p = family.prefix(c);
        if (!family.openClip(c)) {
            String m = p + "text_model.";
            String token = m + "embeddings.token_embedding.weight";
            int blocks = s.countIndices(m + "encoder.layers.");
            return new TextLayout(s.dim(token, 0), s.dim(token, 1), blocks, blocks,
                    s.dim(m + "encoder.layers.0.mlp.fc1.weight", 0),
                    s.dim(m + "embeddings.position_embedding.weight", 0), s.dim(token, 1));
        }
        String token = p + "token_embedding.weight";
        int blocks = s.countIndices(p + "transformer.resblocks.");
        boolean dropLast = family == LdmFamily.SD2;
        if (dropLast && blocks < 2) {
            throw new UnsupportedCheckpointException("the OpenCLIP text encoder has " + blocks
                    + " blocks; SD 2 runs the penultimate one, so at least 2 are needed");
        }
        if (blocks < 1) {
            throw new UnsupportedCheckpointException("the OpenCLIP text encoder under " + p + " has no blocks");
        }
        if (!dropLast && !s.has(p + "text_projection")) {
            throw new UnsupportedCheckpointException("the second text encoder has no " + p + "text_projection,"
                    + " which SDXL's pooled text embedding needs");
        }
        int projection = s.has(p + "text_projection") ? s.dim(p + "text_projection", 1) : s.dim(token, 1);
        return new TextLayout(s.dim(token, 0), s.dim(token, 1), blocks, dropLast ? blocks - 1 : blocks,
                s.dim(p + "transformer.resblocks.0.mlp.c_fc.weight", 0), s.dim(p + "positional_embedding", 0),
                projection);
    }
}
