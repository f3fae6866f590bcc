package dev.conceptprune.pipeline;

import dev.conceptprune.runtime.MemoryCheck;
import dev.conceptprune.runtime.SeededNoise;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.scheduler.Scheduler;
import dev.conceptprune.scheduler.Schedulers;
import dev.conceptprune.clip.ClipTextConfig;
import dev.conceptprune.clip.ClipTextModel;
import dev.conceptprune.clip.ClipTokenizer;
import dev.conceptprune.unet.FeedForwardObserver;
import dev.conceptprune.unet.UNet2DConditionModel;
import dev.conceptprune.unet.UNetConditioning;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.AutoencoderKL;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.vae.VaeTiling;
import dev.conceptprune.runtime.ProcessMemory;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.WeightFormatException;
import dev.conceptprune.vae.Images;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Text-to-image with classifier-free guidance, as diffusers' {@code StableDiffusionPipeline} (and
 * {@code StableDiffusionXLPipeline} for models with {@code text_encoder_2}): a text conditioner,
 * the UNet on a {@link GuidanceBatch}, a scheduler and the VAE decoder.
 */
public final class StableDiffusionPipeline implements AutoCloseable {
    private final ModelSource source;
    private final Runtime runtime;
    private final NDManager manager;
    private final Residency residency;
    private final UNetConfig unetConfig;
    private final AutoencoderKL vae;
    /** The text side (its own manager), or null while released for the UNet. */
    private Text text;
    /** The UNet (its own manager), or null while released for the text encoders. */
    private Loaded<UNet2DConditionModel> unet;
    private FeedForwardObserver unetObserver;
    private DecodeTiling decodeTiling = DecodeTiling.AUTO;
    /** What the memory check saw, so that the decode makes the plan's choice of tiles. */
    private long availableAtLoad = -1;
    /** The float32 bytes of the weights held at once, counted from the headers at load. */
    private double peakWeightBytes;

    /** A component loaded into a manager of its own, freed as a whole. */
    private record Loaded<T>(NDManager manager, T model) {
    }

    /** The conditioner and the text encoders behind it. */
    private record Text(NDManager manager, TextConditioner conditioner, Map<Component, ClipTextModel> encoders) {
    }

    private StableDiffusionPipeline(ModelSource source, Runtime runtime, NDManager manager, Residency residency,
                                    UNetConfig unetConfig, AutoencoderKL vae) {
        this.source = source;
        this.runtime = runtime;
        this.manager = manager;
        this.residency = residency;
        this.unetConfig = unetConfig;
        this.vae = vae;
    }

    /**
     * Loads every component of a model for {@link Runtime#selected()} (float32 unless {@code --dtype} chose
     * bf16); refuses components that do not fit together.
     */
    public static StableDiffusionPipeline load(ModelSource source) {
        return load(source, Runtime.selected());
    }

    /**
     * Loads a model for {@code runtime}, every component resident when their weights fit in memory,
     * else with the text encoders and the UNet in turn ({@link Residency}); refuses components that do
     * not fit together, and weights that fit neither way.
     */
    public static StableDiffusionPipeline load(ModelSource source, Runtime runtime) {
        return load(source, runtime, Residency.choose(source, ProcessMemory.availableBytes()));
    }

    /** As {@link #load(ModelSource, Runtime)} with the components held as {@code residency} says. */
    public static StableDiffusionPipeline load(ModelSource source, Runtime runtime, Residency residency) {
        long available = ProcessMemory.availableBytes();
        long peak = residency.peakParameters(source);
        MemoryCheck.requireFor(peak, "the model " + source.location());
        UNetConfig unetConfig = UNetConfig.from(source.config(Component.UNET));
        NDManager manager = runtime.newManager();
        try {
            AutoencoderKL vae = AutoencoderKL.load(source, runtime, manager);
            StableDiffusionPipeline pipeline = new StableDiffusionPipeline(source, runtime, manager, residency,
                    unetConfig, vae);
            Text text = pipeline.text();
            text.conditioner().requireFits(unetConfig, source.location());
            requireAddedConditionsFit(source, unetConfig, text.conditioner() instanceof SdxlTextConditioner xl
                    ? xl.pooledWidth() : 0);
            if (residency == Residency.RESIDENT) {
                pipeline.unet();
            }
            pipeline.availableAtLoad = available;
            pipeline.peakWeightBytes = (double) Float.BYTES * peak;
            return pipeline;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The text side, loaded now if it is not (releasing the UNet first when they take turns). */
    private Text text() {
        if (text == null) {
            if (residency == Residency.STAGED) {
                releaseUnet();
            }
            NDManager m = manager.newSubManager();
            try {
                Map<Component, ClipTextModel> encoders = new LinkedHashMap<>();
                TextConditioner conditioner;
                if (source.isSdxl()) {
                    SdxlTextConditioner xl = SdxlTextConditioner.load(source, runtime, m);
                    encoders.put(Component.TEXT_ENCODER, xl.encoder());
                    encoders.put(Component.TEXT_ENCODER_2, xl.encoder2());
                    conditioner = xl;
                } else {
                    ClipTokenizer tokenizer = ClipTokenizer.load(source, Component.TOKENIZER);
                    ClipTextConfig textConfig = ClipTextConfig.from(source.config(Component.TEXT_ENCODER));
                    ClipTextModel encoder = ClipTextModel.load(source, textConfig, runtime, m);
                    encoders.put(Component.TEXT_ENCODER, encoder);
                    conditioner = new ClipTextConditioner(tokenizer, encoder, 0);
                }
                text = new Text(m, conditioner, encoders);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }
        return text;
    }

    private void releaseUnet() {
        if (unet != null) {
            unet.manager().close();
            unet = null;
        }
    }

    private void releaseText() {
        if (text != null) {
            text.manager().close();
            text = null;
        }
    }

    /**
     * Checks the configs of the components a model has as {@link #load} does (text encoder, UNet, VAE,
     * the model's own image size, scheduler and tokenizer files) without reading any weight; each
     * problem is one line naming the config file and the key.
     */
    public static void checkConfigs(ModelSource source) {
        checkComponentConfigs(source);
        checkTokenizer(source);
    }

    private static void checkComponentConfigs(ModelSource source) {
        if (source.has(Component.TEXT_ENCODER)) {
            ClipTextConfig.from(source.config(Component.TEXT_ENCODER));
        }
        if (source.has(Component.TEXT_ENCODER_2)) {
            ClipTextConfig.from(source.config(Component.TEXT_ENCODER_2));
        }
        if (source.has(Component.UNET)) {
            UNetConfig.from(source.config(Component.UNET));
        }
        if (source.has(Component.VAE)) {
            VaeConfig.from(source.config(Component.VAE));
        }
        if (source.has(Component.UNET) && source.has(Component.VAE)) {
            source.imageSize();
        }
        if (source.has(Component.SCHEDULER)) {
            Schedulers.from(source, null);
        }
    }

    /** Last of the checks: the vocabulary is the largest file to read. */
    private static void checkTokenizer(ModelSource source) {
        if (source.has(Component.TOKENIZER)) {
            ClipTokenizer.load(source, Component.TOKENIZER);
        }
        if (source.has(Component.TOKENIZER_2)) {
            ClipTokenizer.load(source, Component.TOKENIZER_2);
        }
    }

    /**
     * Refuses a UNet whose {@code text_time} embedding does not take the pooled width the text
     * encoders give ({@code pooledWidth}, 0 for a model without text_encoder_2).
     */
    private static void requireAddedConditionsFit(ModelSource source, UNetConfig unet, int pooledWidth) {
        if (pooledWidth == 0 && unet.hasTextTime()) {
            throw new WeightFormatException(source.location(), "unet has addition_embed_type 'text_time' (SDXL) but"
                    + " the model has no text_encoder_2: components do not belong together");
        }
        if (pooledWidth != 0 && !unet.hasTextTime()) {
            throw new WeightFormatException(source.location(), "the model has text_encoder_2 (SDXL) but unet has no"
                    + " addition_embed_type 'text_time': components do not belong together");
        }
        if (pooledWidth != unet.addedTextWidth()) {
            throw new WeightFormatException(source.location(), "text_encoder_2 projection_dim " + pooledWidth
                    + " does not match unet projection_class_embeddings_input_dim " + unet.additionInputDim()
                    + " less " + UNetConfig.TIME_IDS + " x addition_time_embed_dim " + unet.additionTimeEmbedDim()
                    + ": components do not belong together");
        }
    }

    /**
     * Checks a model for a run without loading its weights: every config ({@link #checkConfigs}), the
     * scheduler of the run (the model's own, or {@code schedulerKind}), that the text encoder's width
     * fits the UNet, and that the run's largest step fits in memory ({@link SamplingMemory}). What
     * {@link #load} and the first steps would refuse about configs, files and sizes fails here in
     * seconds, before any work.
     *
     * @param unetRows      UNet batch rows of the run (two per image with guidance)
     * @param decodedImages images decoded at once, 0 when the run does not decode
     */
    public static void check(ModelSource source, String schedulerKind, int height, int width, int unetRows,
                             int decodedImages) {
        check(source, schedulerKind, height, width, unetRows, decodedImages, DecodeTiling.AUTO);
    }

    /**
     * As {@link #check(ModelSource, String, int, int, int, int)}, with the decode tiled as {@code tiling}
     * asks; tiles that do not suit the VAE are refused here. Returns the memory plan, whose tiles a
     * run that must decode alike everywhere (an evaluation) keeps with {@link DecodeTiling#exactly}.
     */
    public static SamplingMemory.Estimate check(ModelSource source, String schedulerKind, int height, int width,
                                                int unetRows, int decodedImages, DecodeTiling tiling) {
        checkComponentConfigs(source);
        ClipTextConfig text = ClipTextConfig.from(source.config(Component.TEXT_ENCODER));
        UNetConfig unet = UNetConfig.from(source.config(Component.UNET));
        Schedulers.from(source, schedulerKind);
        if (source.isSdxl()) {
            ClipTextConfig text2 = ClipTextConfig.from(source.config(Component.TEXT_ENCODER_2));
            int textWidth = text.hidden() + text2.hidden();
            if (!unet.crossAttentionWidths().equals(Set.of(textWidth))) {
                throw new WeightFormatException(source.location(), "text_encoder + text_encoder_2 hidden_size "
                        + textWidth + " does not match unet cross_attention_dim " + unet.crossAttentionWidths()
                        + ": components do not belong together");
            }
            requireAddedConditionsFit(source, unet, text2.projectionDim());
        } else {
            if (!unet.crossAttentionWidths().equals(Set.of(text.hidden()))) {
                throw new WeightFormatException(source.location(), "text_encoder hidden_size " + text.hidden()
                        + " does not match unet cross_attention_dim " + unet.crossAttentionWidths()
                        + ": components do not belong together");
            }
            requireAddedConditionsFit(source, unet, 0);
        }
        SamplingMemory.Estimate plan = SamplingMemory.require(source, height, width, unetRows, decodedImages, tiling);
        checkTokenizer(source);
        return plan;
    }

    /** The model the pipeline was loaded from. */
    public ModelSource source() {
        return source;
    }

    /** The runtime the components were loaded for. */
    public Runtime runtime() {
        return runtime;
    }

    /**
     * The UNet, loaded now if it is not (releasing the text encoders first when they take turns). With
     * {@link Residency#STAGED} a later text encoding releases it: keep the result only for the call.
     */
    public UNet2DConditionModel unet() {
        if (unet == null) {
            if (residency == Residency.STAGED) {
                releaseText();
            }
            NDManager m = manager.newSubManager();
            try {
                UNet2DConditionModel u = UNet2DConditionModel.load(source, runtime, m);
                u.setObserver(unetObserver);
                unet = new Loaded<>(m, u);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }
        return unet.model();
    }

    /** The UNet's config, without loading it. */
    public UNetConfig unetConfig() {
        return unetConfig;
    }

    /** Sets the observer of the UNet's feed-forward blocks (null: none); it survives the UNet's reloads. */
    public void setUnetObserver(FeedForwardObserver observer) {
        unetObserver = observer;
        if (unet != null) {
            unet.model().setObserver(observer);
        }
    }

    /** How the components are held. */
    public Residency residency() {
        return residency;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    /** What turns prompts into the UNet's conditioning (loaded now if released, see {@link #unet()}). */
    public TextConditioner conditioner() {
        return text().conditioner();
    }

    /**
     * The CLIP text encoder behind the conditioner (the text-side pruning sites live in it); for
     * SDXL the first one, {@code text_encoder}.
     */
    public ClipTextModel textEncoder() {
        return text().encoders().get(Component.TEXT_ENCODER);
    }

    /** Every text encoder by component, in the conditioner's order (SDXL: {@code text_encoder}, {@code text_encoder_2}). */
    public Map<Component, ClipTextModel> textEncoders() {
        return text().encoders();
    }

    /** Sets how later decodes are tiled (by default only when the whole decode would not fit). */
    public void setDecodeTiling(DecodeTiling tiling) {
        decodeTiling = tiling;
    }

    /** The scheduler for a run: the model's own unless {@code kind} names another. */
    public Scheduler scheduler(String kind) {
        return Schedulers.from(source, kind);
    }

    /** The conditioning (text states [n, 77, D]) of prompts, one row each; owned by {@code m}. */
    public UNetConditioning encodePrompts(NDManager m, String... prompts) {
        return conditioner().encode(m, List.of(prompts));
    }

    /** Runs the full loop and decodes: images as NHWC floats in [0, 1]. */
    public GeneratedImages generate(GenerationSettings s, StepListener listener) {
        int n = s.numImages();
        float[] init = s.initialLatents() != null ? s.initialLatents()
                : SeededNoise.draw(s.seed(), latentShape(n, s.height(), s.width()));
        List<String> prompts = Collections.nCopies(n, s.prompt());
        float[] latents = sample(prompts, s, init, listener, Integer.MAX_VALUE);
        float[] pixels = decode(latents, n, s.height(), s.width(), listener);
        warnOnNaN(latents, pixels, listener);
        return new GeneratedImages(n, s.height(), s.width(), pixels, latents);
    }

    /**
     * One image per prompt, each from its own seed (as diffusers with {@code generator=manual_seed(seed)}),
     * {@code batch} prompts per UNet batch. Returns HWC pixels in [0, 1] per prompt.
     */
    public List<float[]> generateEach(List<String> prompts, List<Long> seeds, GenerationSettings s, int batch,
                                      StepListener listener) {
        if (prompts.size() != seeds.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + seeds.size() + " seeds");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        List<float[]> out = new ArrayList<>();
        int perImage = s.height() * s.width() * 3;
        for (int from = 0; from < prompts.size(); from += batch) {
            List<String> chunk = prompts.subList(from, Math.min(prompts.size(), from + batch));
            float[] init = SeededNoise.drawEach(seeds.subList(from, from + chunk.size()),
                    latentShape(1, s.height(), s.width()));
            float[] latents = sample(chunk, s, init, listener, Integer.MAX_VALUE);
            float[] pixels = decode(latents, chunk.size(), s.height(), s.width(), listener);
            warnOnNaN(latents, pixels, listener);
            for (int i = 0; i < chunk.size(); i++) {
                out.add(Arrays.copyOfRange(pixels, i * perImage, (i + 1) * perImage));
            }
        }
        return out;
    }

    /** Latent shape for {@code n} images of the given pixel size. */
    public Shape latentShape(int n, int height, int width) {
        int f = vae.scaleFactor();
        return new Shape(n, unetConfig.inChannels(), height / f, width / f);
    }

    /**
     * The denoising loop for a batch of prompts (one image each) from {@code initialLatents}
     * (flat NCHW, before init_noise_sigma scaling), stopping after {@code maxCalls} UNet calls.
     * Prompt, steps, guidance, scheduler and size come from {@code s}; its prompt is ignored in
     * favour of {@code prompts}. Returns the latents after the last call made.
     */
    public float[] sample(List<String> prompts, GenerationSettings s, float[] initialLatents, StepListener listener,
                          int maxCalls) {
        return sample(GuidanceBatch.of(prompts, s), s, initialLatents, listener, maxCalls);
    }

    /**
     * As {@link #sample(List, GenerationSettings, float[], StepListener, int)} for the prompts,
     * negative prompt and guidance scale of {@code batch}; steps, scheduler and size come from {@code s}.
     */
    public float[] sample(GuidanceBatch batch, GenerationSettings s, float[] initialLatents, StepListener listener,
                          int maxCalls) {
        if (!unetConfig.hasTextTime() && !s.sdxl().isDefault()) {
            throw new InputException("a second prompt and size conditions apply only to SDXL models; "
                    + source.location() + " is not one");
        }
        int n = batch.images();
        Shape shape = latentShape(n, s.height(), s.width());
        if (initialLatents.length != shape.size()) {
            throw new IllegalArgumentException("initial latents hold " + initialLatents.length
                    + " values, the run needs shape " + shape);
        }
        Scheduler scheduler = scheduler(s.scheduler());
        scheduler.warnings().forEach(listener::warning);
        scheduler.setTimesteps(s.steps());
        float[] timesteps = scheduler.timesteps();
        float[] latents = initialLatents.clone();
        float sigma = scheduler.initNoiseSigma();
        for (int i = 0; i < latents.length; i++) {
            latents[i] *= sigma;
        }
        try (NDManager run = manager.newSubManager()) {
            UNetConditioning conditioning = withTimeIds(run, conditioner().encode(run, batch), s, batch.rows());
            UNet2DConditionModel denoiser = unet();
            boolean nanText = conditioning.textStates().isNaN().any().getBoolean();
            if (nanText) {
                listener.warning("the text encoder produced NaN; the weights of the text encoder may contain NaN");
            }
            boolean nanSeen = nanText;
            int calls = Math.min(maxCalls, timesteps.length);
            for (int i = 0; i < calls; i++) {
                listener.beforeUnetCall(i, timesteps.length, timesteps[i]);
                float[] eps;
                try (NDManager step = run.newSubManager()) {
                    NDArray x = step.create(scheduler.scaleModelInput(latents, i), shape);
                    eps = batch.guide(denoiser.forward(batch.input(x), timesteps[i], conditioning));
                }
                if (!nanSeen && hasNaN(eps)) {
                    nanSeen = true;
                    listener.warning("the UNet produced NaN at UNet call " + (i + 1) + " of " + timesteps.length
                            + "; the weights of the UNet may contain NaN (the images will be black)");
                }
                latents = scheduler.step(eps, i, latents);
            }
        }
        return latents;
    }

    /** SDXL's conditioning gets the time ids of the run's size conditions, the same for every row. */
    private UNetConditioning withTimeIds(NDManager m, UNetConditioning c, GenerationSettings s, int rows) {
        if (!unetConfig.hasTextTime()) {
            return c;
        }
        float[] ids = s.sdxl().timeIds(s.height(), s.width());
        float[] all = new float[rows * ids.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(ids, 0, all, r * ids.length, ids.length);
        }
        return new UNetConditioning(c.textStates(), c.pooledText(), m.create(all, new Shape(rows, ids.length)));
    }

    /** NaN that only the decoder introduced points at the VAE's weights; NaN latents were reported during sampling. */
    private static void warnOnNaN(float[] latents, float[] pixels, StepListener listener) {
        if (!hasNaN(latents) && hasNaN(pixels)) {
            listener.warning("the VAE decoder produced NaN; the weights of the VAE may contain NaN (the images will be black)");
        }
    }

    private static boolean hasNaN(float[] values) {
        for (float v : values) {
            if (Float.isNaN(v)) {
                return true;
            }
        }
        return false;
    }

    /** Decodes final latents (flat NCHW) to NHWC pixels in [0, 1], tiled as {@link #setDecodeTiling} says. */
    public float[] decode(float[] latents, int n, int height, int width) {
        return decode(latents, n, height, width, StepListener.NONE);
    }

    /** As {@link #decode(float[], int, int, int)}, warning when tiles are chosen because the whole decode would not fit. */
    private float[] decode(float[] latents, int n, int height, int width, StepListener listener) {
        double weights = decodeTiling.automatic() ? peakWeightBytes : 0;
        VaeTiling tiles = SamplingMemory.decodeTiling(vae.config(), weights, height, width, n, decodeTiling,
                availableAtLoad);
        if (tiles != null && decodeTiling.automatic()) {
            listener.warning("the whole VAE decode at " + height + "x" + width + " would not fit in memory; decoding in "
                    + tiles.tileSample() + "-pixel tiles, whose seams are blended");
        }
        try (NDManager dec = manager.newSubManager()) {
            return Images.toUnitRange(vae.decode(dec.create(latents, latentShape(n, height, width)), tiles));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
