package dev.conceptprune.model.ldm;

/**
 * The text encoder's structure as the stored shapes and key counts show it.
 *
 * @param storedBlocks transformer blocks in the file
 * @param layers the blocks the text encoder runs: all for SD 1.x; for SD 2.x all but the last,
 *               since SD 2 takes the penultimate block's output
 * @param projectionDim width of the stored text projection, or the hidden size when there is none
 */
public record TextLayout(int vocabSize, int hiddenSize, int storedBlocks, int layers, int intermediateSize,
                         int maxPositions, int projectionDim) {

    /** Reads the structure from the tensors under the family's text prefix. */
    static TextLayout infer(LdmFamily family, TensorShapes s) {
        String p = family.textPrefix();
        if (family == LdmFamily.SD1) {
            String m = p + "text_model.";
            String token = m + "embeddings.token_embedding.weight";
            int blocks = s.countIndices(m + "encoder.layers.");
            return new TextLayout(s.dim(token, 0), s.dim(token, 1), blocks, blocks,
                    s.dim(m + "encoder.layers.0.mlp.fc1.weight", 0),
                    s.dim(m + "embeddings.position_embedding.weight", 0), s.dim(token, 1));
        }
        String token = p + "token_embedding.weight";
        int blocks = s.countIndices(p + "transformer.resblocks.");
        if (blocks < 2) {
            throw new UnsupportedCheckpointException("the OpenCLIP text encoder has " + blocks
                    + " blocks; SD 2 runs the penultimate one, so at least 2 are needed");
        }
        int projection = s.has(p + "text_projection") ? s.dim(p + "text_projection", 1) : s.dim(token, 1);
        return new TextLayout(s.dim(token, 0), s.dim(token, 1), blocks, blocks - 1,
                s.dim(p + "transformer.resblocks.0.mlp.c_fc.weight", 0), s.dim(p + "positional_embedding", 0),
                projection);
    }
}
