package dev.conceptprune.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.scheduler.Scheduler;
import dev.conceptprune.scheduler.Schedulers;
import dev.conceptprune.text.ClipTextConfig;
import dev.conceptprune.text.ClipTextModel;
import dev.conceptprune.text.ClipTokenizer;
import dev.conceptprune.unet.UNet2DConditionModel;
import dev.conceptprune.vae.AutoencoderKL;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.weights.Component;
import dev.conceptprune.weights.ModelSource;
import dev.conceptprune.weights.WeightFormatException;
import dev.conceptprune.vae.Images;
import java.util.ArrayList;
import java.util.List;

/**
 * Text-to-image with classifier-free guidance, as diffusers' {@code StableDiffusionPipeline}:
 * the UNet batch holds the unconditional rows first, then the conditional ones.
 */
public final class StableDiffusionPipeline implements AutoCloseable {
    private final ModelSource source;
    private final Runtime runtime;
    private final NDManager manager;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;

    private StableDiffusionPipeline(ModelSource source, Runtime runtime, NDManager manager, ClipTokenizer tokenizer,
                                    ClipTextModel textEncoder, UNet2DConditionModel unet, AutoencoderKL vae) {
        this.source = source;
        this.runtime = runtime;
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
    }

    /** Loads every component of a model for {@link Runtime#cpu()}; refuses components that do not fit together. */
    public static StableDiffusionPipeline load(ModelSource source) {
        return load(source, Runtime.cpu());
    }

    /** Loads every component of a model for {@code runtime}; refuses components that do not fit together. */
    public static StableDiffusionPipeline load(ModelSource source, Runtime runtime) {
        long params = MemoryCheck.parameterCount(source,
                List.of(Component.TEXT_ENCODER, Component.UNET, Component.VAE));
        MemoryCheck.requireFor(params, "the model " + source.location());
        NDManager manager = runtime.newManager();
        try {
            ClipTokenizer tokenizer = ClipTokenizer.load(source, Component.TOKENIZER);
            ClipTextConfig textConfig = ClipTextConfig.from(source.config(Component.TEXT_ENCODER));
            int crossDim = source.config(Component.UNET).getIntOrPerBlock("cross_attention_dim", 1)[0];
            if (textConfig.hidden() != crossDim) {
                throw new WeightFormatException(source.location(), "text_encoder hidden_size " + textConfig.hidden()
                        + " does not match unet cross_attention_dim " + crossDim + ": components do not belong together");
            }
            ClipTextModel text = ClipTextModel.load(source, textConfig, runtime, manager);
            UNet2DConditionModel unet = UNet2DConditionModel.load(source, runtime, manager);
            AutoencoderKL vae = AutoencoderKL.load(source, runtime, manager);
            return new StableDiffusionPipeline(source, runtime, manager, tokenizer, text, unet, vae);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The model the pipeline was loaded from. */
    public ModelSource source() {
        return source;
    }

    /** The runtime the components were loaded for. */
    public Runtime runtime() {
        return runtime;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipTextModel textEncoder() {
        return textEncoder;
    }

    /** The scheduler for a run: the model's own unless {@code kind} names another. */
    public Scheduler scheduler(String kind) {
        return Schedulers.from(source, kind);
    }

    /** Text states [n, 77, D] for prompts; owned by {@code m}. */
    public NDArray encodePrompts(NDManager m, String... prompts) {
        int[][] ids = new int[prompts.length][];
        for (int i = 0; i < prompts.length; i++) {
            ids[i] = tokenizer.encode(prompts[i]);
        }
        return textEncoder.encode(m, ids);
    }

    /** Runs the full loop and decodes: images as NHWC floats in [0, 1]. */
    public GeneratedImages generate(GenerationSettings s, StepListener listener) {
        int n = s.numImages();
        float[] init = s.initialLatents() != null ? s.initialLatents()
                : SeededNoise.draw(s.seed(), latentShape(n, s.height(), s.width()));
        List<String> prompts = java.util.Collections.nCopies(n, s.prompt());
        float[] latents = sample(prompts, s, init, listener, Integer.MAX_VALUE);
        return new GeneratedImages(n, s.height(), s.width(), decode(latents, n, s.height(), s.width()), latents);
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
            float[] init = new float[0];
            for (int i = 0; i < chunk.size(); i++) {
                float[] one = SeededNoise.draw(seeds.get(from + i), latentShape(1, s.height(), s.width()));
                float[] grown = java.util.Arrays.copyOf(init, init.length + one.length);
                System.arraycopy(one, 0, grown, init.length, one.length);
                init = grown;
            }
            float[] pixels = decode(sample(chunk, s, init, listener, Integer.MAX_VALUE), chunk.size(), s.height(),
                    s.width());
            for (int i = 0; i < chunk.size(); i++) {
                out.add(java.util.Arrays.copyOfRange(pixels, i * perImage, (i + 1) * perImage));
            }
        }
        return out;
    }

    /** Latent shape for {@code n} images of the given pixel size. */
    public Shape latentShape(int n, int height, int width) {
        int f = vae.scaleFactor();
        return new Shape(n, unet.config().inChannels(), height / f, width / f);
    }

    /**
     * The denoising loop for a batch of prompts (one image each) from {@code initialLatents}
     * (flat NCHW, before init_noise_sigma scaling), stopping after {@code maxCalls} UNet calls.
     * Prompt, steps, guidance, scheduler and size come from {@code s}; its prompt is ignored in
     * favour of {@code prompts}. Returns the latents after the last call made.
     */
    public float[] sample(List<String> prompts, GenerationSettings s, float[] initialLatents, StepListener listener,
                          int maxCalls) {
        int n = prompts.size();
        Shape shape = latentShape(n, s.height(), s.width());
        if (initialLatents.length != shape.size()) {
            throw new IllegalArgumentException("initial latents hold " + initialLatents.length
                    + " values, the run needs shape " + shape);
        }
        Scheduler scheduler = scheduler(s.scheduler());
        scheduler.setTimesteps(s.steps());
        float[] timesteps = scheduler.timesteps();
        boolean cfg = s.guidance() > 1.0;
        float[] latents = initialLatents.clone();
        float sigma = scheduler.initNoiseSigma();
        for (int i = 0; i < latents.length; i++) {
            latents[i] *= sigma;
        }
        try (NDManager run = manager.newSubManager()) {
            NDArray text = textStates(run, prompts, s.negativePrompt(), cfg);
            int calls = Math.min(maxCalls, timesteps.length);
            for (int i = 0; i < calls; i++) {
                listener.beforeUnetCall(i, timesteps.length, timesteps[i]);
                float[] eps;
                try (NDManager step = run.newSubManager()) {
                    NDArray x = step.create(scheduler.scaleModelInput(latents, i), shape);
                    NDArray input = cfg ? x.concat(x, 0) : x;
                    eps = guide(unet.forward(input, timesteps[i], text), n, s.guidance(), cfg);
                }
                latents = scheduler.step(eps, i, latents);
            }
        }
        return latents;
    }

    /** Decodes final latents (flat NCHW) to NHWC pixels in [0, 1]. */
    public float[] decode(float[] latents, int n, int height, int width) {
        try (NDManager dec = manager.newSubManager()) {
            return Images.toUnitRange(vae.decode(dec.create(latents, latentShape(n, height, width))));
        }
    }

    private NDArray textStates(NDManager m, List<String> prompts, String negative, boolean cfg) {
        List<String> all = new ArrayList<>();
        if (cfg) {
            all.addAll(java.util.Collections.nCopies(prompts.size(), negative));
        }
        all.addAll(prompts);
        return encodePrompts(m, all.toArray(new String[0]));
    }

    private static float[] guide(NDArray noise, int n, double guidance, boolean cfg) {
        if (!cfg) {
            return noise.toFloatArray();
        }
        NDArray uncond = noise.get("0:" + n);
        NDArray cond = noise.get(n + ":");
        return uncond.add(cond.sub(uncond).mul((float) guidance)).toFloatArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
