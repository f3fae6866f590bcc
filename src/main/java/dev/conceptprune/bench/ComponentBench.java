package dev.conceptprune.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Component;
import dev.conceptprune.nn.RandomTensor;
import dev.conceptprune.pipeline.SamplingMemory;
import dev.conceptprune.runtime.ProcessMemory;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.unet.UNetConditioning;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.VaeConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Times the text encoder, the UNet and the VAE decoder on seeded random inputs of one size. */
public final class ComponentBench {
    /** The components a benchmark can time, in the order it times them. */
    public static final List<String> COMPONENTS = List.of("text_encoder", "unet", "vae_decoder");

    private static final int TOKENS = 77;
    private static final float TIMESTEP = 500f;
    private static final int PRESET_SIZE = 512;

    private ComponentBench() {
    }

    /**
     * Builds the networks of the request and times each requested component.
     *
     * @param progress where progress lines go, or null
     */
    public static ComponentResults run(BenchRequest request, Runtime runtime, NDManager manager,
                                       PrintStream progress) {
        ModelSource folder = request.preset() == null ? ModelSource.open(request.model(), request.modelOptions()) : null;
        int h = request.height() != null ? request.height() : folder == null ? PRESET_SIZE : folder.imageSize();
        int w = request.width() != null ? request.width() : h;
        int batch = request.batch();
        int images = Math.max(1, batch / 2);
        // A preset's random weights have no files to count; its activations alone are checked.
        SamplingMemory.require(folder != null ? SamplingMemory.estimate(folder, h, w, batch, images)
                : SamplingMemory.estimate(UNetConfig.from(request.preset().config(Component.UNET)),
                        VaeConfig.from(request.preset().config(Component.VAE)), 0, h, w, batch, images),
                h, w, ProcessMemory.availableBytes());
        if (progress != null) {
            progress.println("bench: building the networks...");
        }
        BenchModels models = folder != null ? BenchModels.load(folder, runtime, manager)
                : BenchModels.random(request.preset(), runtime, manager, request.seed());
        int f = models.vae().scaleFactor();
        if (h % f != 0 || w % f != 0) {
            throw new InputException("the image height and width must be multiples of the VAE factor " + f);
        }
        ComponentTimer timer = new ComponentTimer(manager, request.warmup(), request.calls(),
                request.collectBeforeSample(), progress);
        Shape latents = new Shape(batch, models.unet().config().inChannels(), h / f, w / f);
        Shape decoded = new Shape(images, models.vae().config().latentChannels(), h / f, w / f);
        Shape text = new Shape(batch, TOKENS, models.unet().config().crossAttentionDim()[0]);
        long seed = request.seed();
        float[] sample = RandomTensor.normal(seed, "bench.sample", Math.toIntExact(latents.size()), 1);
        float[] states = RandomTensor.normal(seed, "bench.text_states", Math.toIntExact(text.size()), 1);
        float[] z = RandomTensor.normal(seed, "bench.latents", Math.toIntExact(decoded.size()), 1);
        int[][] ids = tokenIds(batch, models.textEncoder().config().vocabSize());

        List<String> only = request.components();
        List<CallTimes> results = new ArrayList<>();
        if (only.contains("text_encoder")) {
            results.add(timer.time("text_encoder", batch + " x " + TOKENS + " tokens",
                    m -> models.textEncoder().encode(m, ids)));
        }
        if (only.contains("unet")) {
            results.add(timer.time("unet", shapeText(latents) + " + text " + text.get(1) + "x" + text.get(2),
                    m -> models.unet().forward(m.create(sample, latents), TIMESTEP,
                            UNetConditioning.text(m.create(states, text)))));
        }
        if (only.contains("vae_decoder")) {
            results.add(timer.time("vae_decoder", shapeText(decoded) + " -> " + h + "x" + w,
                    m -> models.vae().decode(m.create(z, decoded))));
        }
        return new ComponentResults(models.description(), h, w, batch, results);
    }

    /** Token ids spread over the vocabulary; the values do not change the work done. */
    private static int[][] tokenIds(int rows, int vocab) {
        int[][] ids = new int[rows][TOKENS];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < TOKENS; t++) {
                ids[r][t] = (int) ((r * 7919L + t * 104729L) % vocab);
            }
        }
        return ids;
    }

    private static String shapeText(Shape s) {
        StringBuilder b = new StringBuilder();
        for (long d : s.getShape()) {
            b.append(b.length() == 0 ? "" : "x").append(d);
        }
        return b.toString();
    }
}
