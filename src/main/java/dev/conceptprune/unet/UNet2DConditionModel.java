package dev.conceptprune.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.nn.Conv2d;
import dev.conceptprune.nn.GroupNorm;
import dev.conceptprune.nn.Mutation;
import dev.conceptprune.nn.Ops;
import dev.conceptprune.nn.Params;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.io.WeightFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * diffusers' {@code UNet2DConditionModel} (SD 1.x/2.x layout, and SDXL's with its
 * {@code text_time} added embedding) predicting noise from a latent sample, a timestep and a
 * {@link UNetConditioning}. Weights live in a sub-manager of the
 * manager given to {@code load}; every call works in a sub-manager of the sample's and leaves
 * only its result.
 * Not thread-safe: a call temporarily moves its inputs into its own sub-manager.
 *
 * <p>For ConceptPrune the model exposes its transformer blocks' feed-forwards: their names and
 * sizes in execution order, an observer of their GEGLU activations, and their live weights.
 */
public final class UNet2DConditionModel {

    private final UNetConfig config;
    private final TimestepProjection timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final TextTimeEmbedding addEmbedding;
    private final Conv2d convIn;
    private final List<DownBlock> downBlocks = new ArrayList<>();
    private final MidBlock midBlock;
    private final List<UpBlock> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final List<FeedForward> feedForwards = new ArrayList<>();
    private final Mutation mutation;
    private FeedForwardObserver observer;

    private UNet2DConditionModel(UNetConfig cfg, Params p) {
        mutation = p.mutation();
        config = cfg;
        int[] widths = cfg.blockOutChannels();
        int n = cfg.blocks();
        timeProj = new TimestepProjection(p.manager(), widths[0], cfg.flipSinToCos(), cfg.freqShift());
        timeEmbedding = new TimestepEmbedding(p.sub("time_embedding"), widths[0], cfg.timeEmbedDim());
        addEmbedding = cfg.hasTextTime() ? new TextTimeEmbedding(p, cfg) : null;
        convIn = Conv2d.load(p, "conv_in", cfg.inChannels(), widths[0], cfg.convInKernel(), 1,
                (cfg.convInKernel() - 1) / 2);
        for (int i = 0; i < n; i++) {
            downBlocks.add(new DownBlock(p.sub("down_blocks." + i), cfg, i, i == 0 ? widths[0] : widths[i - 1],
                    feedForwards));
        }
        midBlock = new MidBlock(p.sub("mid_block"), cfg, feedForwards);
        for (int i = 0; i < n; i++) {
            upBlocks.add(new UpBlock(p.sub("up_blocks." + i), cfg, i, feedForwards));
        }
        convNormOut = GroupNorm.load(p, "conv_norm_out", cfg.normNumGroups(), widths[0], cfg.normEps());
        convOut = Conv2d.load(p, "conv_out", widths[0], cfg.outChannels(), cfg.convOutKernel(), 1,
                (cfg.convOutKernel() - 1) / 2);
    }

    /** Loads the {@code unet} component of a model for {@link Runtime#cpu()}. */
    public static UNet2DConditionModel load(ModelSource source, NDManager manager) {
        return load(source, Runtime.cpu(), manager);
    }

    /**
     * Loads the {@code unet} component of a model for {@code runtime}, into a sub-manager of
     * {@code manager} (one the runtime made); weights of any float dtype become the compute dtype.
     */
    public static UNet2DConditionModel load(ModelSource source, Runtime runtime, NDManager manager) {
        UNetConfig cfg = UNetConfig.from(source.config(Component.UNET));
        try (TensorSource store = source.tensors(Component.UNET)) {
            return load(cfg, store, runtime, manager);
        }
    }

    /**
     * Builds the model from a config and weights, into a sub-manager of {@code manager}. Fails
     * with a {@link WeightFormatException} on a missing or mis-shaped tensor, and on tensors the
     * config does not explain.
     */
    public static UNet2DConditionModel load(UNetConfig cfg, TensorSource store, Runtime runtime, NDManager manager) {
        NDManager weights = manager.newSubManager();
        try {
            Params p = new Params(store, runtime, weights);
            UNet2DConditionModel model = load(cfg, p);
            p.requireAllUsed("UNet", name -> false);
            return model;
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /**
     * Builds the model from a config with the weights {@code p} gives (e.g. {@link Params#random}),
     * into {@code p}'s manager; unlike the store loaders it does not look for unexplained tensors.
     */
    public static UNet2DConditionModel load(UNetConfig cfg, Params p) {
        return new UNet2DConditionModel(cfg, p);
    }

    public UNetConfig config() {
        return config;
    }

    /** Sets the observer of every feed-forward's GEGLU output; null for none. */
    public void setObserver(FeedForwardObserver observer) {
        this.observer = observer;
    }

    /** The transformer blocks' {@code ff.net.2} layers in execution order (16 for SD 1.x). */
    public List<FeedForwardLayer> feedForwardLayers() {
        return feedForwards.stream().map(FeedForward::layer).toList();
    }

    /** The live {@code ff.net.2} weight [dim, inner] of a layer; changing it in place changes the model. */
    public NDArray feedForwardOutWeight(int layer) {
        return feedForwards.get(layer).out().weight();
    }

    /** The live {@code ff.net.0.proj} weight [2 * inner, dim] of a layer. */
    public NDArray feedForwardInWeight(int layer) {
        return feedForwards.get(layer).in().weight();
    }

    /**
     * Predicts the noise.
     *
     * @param sample latents [B, in_channels, H, W], float32
     * @param timestep one timestep for the whole batch (integer or fractional)
     * @param conditioning text states [B, S, cross_attention_dim]; with {@code addition_embed_type:
     *        text_time} also pooled text [B, P] and time ids [B, 6], which are refused otherwise
     * @return [B, out_channels, H, W], owned by the sample's manager
     */
    public NDArray forward(NDArray sample, float timestep, UNetConditioning conditioning) {
        return forward(sample, timestep, conditioning, Probe.NONE);
    }

    NDArray forward(NDArray sample, float timestep, UNetConditioning conditioning, Probe probe) {
        checkInputs(sample, timestep, conditioning);
        try (Scope s = Scope.of(sample, conditioning.pooledText(), conditioning.timeIds())) {
            NDArray tProj = timeProj.forward(s.manager(), timestep);
            probe.record("time_proj.out", tProj);
            NDArray temb = timeEmbedding.forward(tProj);
            probe.record("time_embedding.out", temb);
            if (addEmbedding != null) {
                NDArray added = addEmbedding.forward(s.manager(), conditioning.pooledText(), conditioning.timeIds());
                probe.record("add_embedding.out", added);
                temb = temb.add(added);
            }
            BlockContext c = new BlockContext(Ops.silu(temb, mutation), conditioning.textStates(), observer);

            NDArray h = convIn.forward(sample);
            probe.record("conv_in.out", h);
            List<NDArray> skips = new ArrayList<>(List.of(h));
            for (int i = 0; i < downBlocks.size(); i++) {
                List<NDArray> states = downBlocks.get(i).forward(h, c);
                for (int j = 0; j < states.size(); j++) {
                    probe.record("down_blocks." + i + ".res_samples." + j, states.get(j));
                }
                skips.addAll(states);
                h = states.get(states.size() - 1);
                probe.record("down_blocks." + i + ".out", h);
            }
            h = midBlock.forward(h, c);
            probe.record("mid_block.out", h);
            for (int i = 0; i < upBlocks.size(); i++) {
                UpBlock up = upBlocks.get(i);
                List<NDArray> tail = skips.subList(skips.size() - up.skipCount(), skips.size());
                List<NDArray> mine = new ArrayList<>(tail);
                tail.clear();
                long[] outSize = up.upsamples() ? spatial(skips.get(skips.size() - 1)) : null;
                h = up.forward(h, mine, outSize, c);
                probe.record("up_blocks." + i + ".out", h);
            }
            NDArray normed = convNormOut.forward(h);
            probe.record("conv_norm_out.out", normed);
            NDArray out = convOut.forward(Ops.silu(normed, mutation));
            probe.record("conv_out.out", out);
            return s.keep(out);
        }
    }

    private void checkAddedConditions(UNetConditioning conditioning, long rows) {
        NDArray pooled = conditioning.pooledText();
        NDArray ids = conditioning.timeIds();
        Shape pooledShape = new Shape(rows, config.addedTextWidth());
        Shape idsShape = new Shape(rows, UNetConfig.TIME_IDS);
        if (pooled == null || ids == null || !pooled.getShape().equals(pooledShape)
                || !ids.getShape().equals(idsShape)) {
            throw new IllegalArgumentException("this UNet (addition_embed_type 'text_time') needs pooled text"
                    + " embeddings " + pooledShape + " and time ids " + idsShape + ", got "
                    + (pooled == null ? "none" : pooled.getShape()) + " and " + (ids == null ? "none" : ids.getShape()));
        }
        if (pooled.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("pooled text embeddings must be float32 (also for a 16-bit runtime,"
                    + " whose products cast their inputs)");
        }
    }

    private static long[] spatial(NDArray x) {
        Shape shape = x.getShape();
        return new long[] {shape.get(2), shape.get(3)};
    }

    private void checkInputs(NDArray sample, float timestep, UNetConditioning conditioning) {
        NDArray text = conditioning.textStates();
        Shape s = sample.getShape();
        if (addEmbedding == null && conditioning.hasAddedConditions()) {
            throw new IllegalArgumentException("added conditions (pooled text embeddings, time ids) need a UNet with"
                    + " addition_embed_type 'text_time'; this UNet has none");
        }
        if (addEmbedding != null) {
            checkAddedConditions(conditioning, s.get(0));
        }
        Shape t = text.getShape();
        if (s.dimension() != 4 || s.get(1) != config.inChannels()) {
            throw new IllegalArgumentException("sample must be [B, " + config.inChannels() + ", H, W], got " + s);
        }
        if (t.dimension() != 3 || t.get(0) != s.get(0)) {
            throw new IllegalArgumentException("encoder hidden states must be [" + s.get(0) + ", S, D], got " + t);
        }
        Set<Integer> widths = config.crossAttentionWidths();
        if (!widths.equals(Set.of((int) t.get(2)))) {
            throw new IllegalArgumentException("encoder hidden states have width " + t.get(2)
                    + " but the UNet's cross-attention expects " + widths);
        }
        if (sample.getDataType() != DataType.FLOAT32 || text.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("sample and encoder hidden states must be float32 (also for a 16-bit"
                    + " runtime, whose products cast their inputs)");
        }
        if (!Float.isFinite(timestep)) {
            throw new IllegalArgumentException("timestep must be finite, got " + timestep);
        }
    }
}
