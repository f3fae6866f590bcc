package dev.conceptprune.model.ldm;

/**
 * The UNet's structure as the stored shapes and key counts show it. Per-block arrays are in
 * down-block order except {@code upAttention}, which is in up-block order as diffusers numbers
 * them (up block 0 is the deepest).
 *
 * @param layersPerBlock resnets per down block; up blocks have one more
 * @param transformerDepth transformer blocks in each attention of down block {@code i}
 * @param addEmbedInput input width of SDXL's added-condition embedding ({@code label_emb.0.0}, diffusers'
 *                      {@code add_embedding.linear_1}): pooled text plus the embedded time ids; 0 when absent
 */
public record UNetLayout(int inChannels, int outChannels, int[] blockOutChannels, int layersPerBlock,
                         boolean[] downAttention, boolean[] upAttention, int[] transformerDepth,
                         int crossAttentionDim, boolean linearProjection, int convInKernel, int convOutKernel,
                         int timeEmbedDim, int addEmbedInput) {

    private static final String P = LdmFamily.UNET_PREFIX;

    /** Reads the structure from the tensors under {@code model.diffusion_model.}. */
    static UNetLayout infer(TensorShapes s) {
        int inputBlocks = s.countIndices(P + "input_blocks.");
        int layers = inputBlocks - 1;
        for (int k = 1; k < inputBlocks; k++) {
            if (s.has(P + "input_blocks." + k + ".0.op.weight")) {
                layers = k - 1;
                break;
            }
        }
        if (layers < 1 || inputBlocks % (layers + 1) != 0) {
            throw new UnsupportedCheckpointException("the UNet's " + inputBlocks
                    + " input blocks do not form equal down blocks");
        }
        int blocks = inputBlocks / (layers + 1);
        int outputBlocks = s.countIndices(P + "output_blocks.");
        if (outputBlocks != blocks * (layers + 1)) {
            throw new UnsupportedCheckpointException("the UNet has " + outputBlocks + " output blocks, expected "
                    + blocks * (layers + 1) + " for " + blocks + " blocks of " + layers + " layers");
        }
        int[] channels = new int[blocks];
        boolean[] down = new boolean[blocks];
        boolean[] up = new boolean[blocks];
        int[] depth = new int[blocks];
        String attention = null;
        for (int i = 0; i < blocks; i++) {
            String first = P + "input_blocks." + (1 + i * (layers + 1));
            channels[i] = s.dim(first + ".0.in_layers.2.weight", 0);
            down[i] = s.has(first + ".1.norm.weight");
            up[i] = s.has(P + "output_blocks." + i * (layers + 1) + ".1.norm.weight");
            String mirror = P + "output_blocks." + (blocks - 1 - i) * (layers + 1) + ".1";
            String holder = down[i] ? first + ".1" : up[blocks - 1 - i] ? mirror : null;
            depth[i] = holder == null ? 1 : s.countIndices(holder + ".transformer_blocks.");
            if (attention == null && holder != null) {
                attention = holder;
            }
        }
        if (attention == null) {
            attention = P + "middle_block.1";
        }
        String conv = P + "input_blocks.0.0.weight";
        return new UNetLayout(s.dim(conv, 1), s.dim(P + "out.2.weight", 0), channels, layers, down, up, depth,
                s.dim(attention + ".transformer_blocks.0.attn2.to_k.weight", 1),
                s.rank(attention + ".proj_in.weight") == 2, s.dim(conv, 2), s.dim(P + "out.2.weight", 2),
                s.dim(P + "time_embed.0.weight", 0),
                s.has(P + "label_emb.0.0.weight") ? s.dim(P + "label_emb.0.0.weight", 1) : 0);
    }

    /** Number of down blocks (= up blocks). */
    public int blocks() {
        return blockOutChannels.length;
    }

    @Override
    public int[] blockOutChannels() {
        return blockOutChannels.clone();
    }

    @Override
    public boolean[] downAttention() {
        return downAttention.clone();
    }

    @Override
    public boolean[] upAttention() {
        return upAttention.clone();
    }

    @Override
    public int[] transformerDepth() {
        return transformerDepth.clone();
    }
}
