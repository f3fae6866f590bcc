package dev.conceptprune.model.ldm;

/**
 * The VAE's structure as the stored shapes and key counts show it.
 *
 * @param layersPerBlock resnets per encoder block; decoder blocks have one more
 */
public record VaeLayout(int inChannels, int outChannels, int latentChannels, int[] blockOutChannels,
                        int layersPerBlock, boolean useQuantConv, boolean usePostQuantConv) {

    private static final String P = LdmFamily.VAE_PREFIX;

    /** Reads the structure from the tensors under {@code first_stage_model.}. */
    static VaeLayout infer(TensorShapes s) {
        int blocks = s.countIndices(P + "encoder.down.");
        int layers = s.countIndices(P + "encoder.down.0.block.");
        if (blocks == 0 || layers == 0 || s.countIndices(P + "decoder.up.") != blocks
                || s.countIndices(P + "decoder.up.0.block.") != layers + 1) {
            throw new UnsupportedCheckpointException("the VAE's encoder.down / decoder.up blocks do not have"
                    + " the AutoencoderKL layout");
        }
        int[] channels = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            channels[i] = s.dim(P + "encoder.down." + i + ".block.0.conv1.weight", 0);
        }
        return new VaeLayout(s.dim(P + "encoder.conv_in.weight", 1), s.dim(P + "decoder.conv_out.weight", 0),
                s.dim(P + "decoder.conv_in.weight", 1), channels, layers, s.has(P + "quant_conv.weight"),
                s.has(P + "post_quant_conv.weight"));
    }

    public int blocks() {
        return blockOutChannels.length;
    }

    @Override
    public int[] blockOutChannels() {
        return blockOutChannels.clone();
    }
}
