package dev.conceptprune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.nn.Params;
import dev.conceptprune.nn.RandomTensor;
import dev.conceptprune.ort.OrtUNet;
import dev.conceptprune.pipeline.SamplingMemory;
import dev.conceptprune.runtime.ProcessMemory;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.unet.UNetConditioning;
import dev.conceptprune.unet.UNetConfig;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.vae.VaeTiling;
import dev.conceptprune.io.Config;
import dev.conceptprune.runtime.MemoryCheck;
import java.util.Map;
import java.util.function.Function;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Times the text encoder, the UNet and the VAE decoder on seeded random inputs of one size. */
public final class ComponentBench {
    /** The components a benchmark can time, in the order it times them; text_encoder_2 only where a model has one. */
    public static final List<String> COMPONENTS = List.of("text_encoder", "text_encoder_2", "unet", "vae_decoder");

    private static final int TOKENS = 77;
    private static final float TIMESTEP = 500f;
    private static final int PRESET_SIZE = 512;
    /** SDXL's time ids: original size, crop top-left, target size. */
    private static final int TIME_IDS = 6;
    private static final Map<String, Component> WEIGHTS = Map.of("text_encoder", Component.TEXT_ENCODER,
            "text_encoder_2", Component.TEXT_ENCODER_2, "unet", Component.UNET, "vae_decoder", Component.VAE);

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
        Function<Component, Config> configs = c -> folder != null ? folder.config(c) : request.preset().config(c);
        boolean second = folder != null ? folder.has(Component.TEXT_ENCODER_2)
                : request.preset().has(Component.TEXT_ENCODER_2);
        List<String> only = request.components() != null ? request.components()
                : COMPONENTS.stream().filter(c -> second || !c.equals("text_encoder_2")).toList();
        if (only.contains("text_encoder_2") && !second) {
            throw new InputException("text_encoder_2: " + (folder != null ? folder.location().toString()
                    : "preset " + request.preset().id()) + " has no second text encoder (SDXL has one)");
        }
        int h = request.height() != null ? request.height() : folder == null ? PRESET_SIZE : folder.imageSize();
        int w = request.width() != null ? request.width() : h;
        int batch = request.batch();
        int images = Math.max(1, batch / 2);
        VaeConfig vaeConfig = VaeConfig.from(configs.apply(Component.VAE));
        int f = vaeConfig.scaleFactor();
        if (h % f != 0 || w % f != 0) {
            throw new InputException("the image height and width must be multiples of the VAE factor " + f);
        }
        UNetConfig unetConfig = only.contains("unet") ? UNetConfig.from(configs.apply(Component.UNET)) : null;
        if (request.peer() != null) {
            checkPeer(request.peer(), unetConfig, runtime, h / f, w / f);
        }
        List<Component> resident = weightComponents(only);
        long parameters = folder != null ? MemoryCheck.parameterCount(folder, resident) : 0;
        long available = ProcessMemory.availableBytes();
        boolean decodes = only.contains("vae_decoder");
        // A preset's random weights have no files to count: before building, its activations alone
        // are checked; once built, its weights are known and the decode's tiles are chosen with them.
        checkMemory(unetConfig, vaeConfig, parameters, h, w, batch, images, decodes, request, resident, available);
        if (progress != null) {
            progress.println("bench: building the networks...");
        }
        BenchModels models = folder != null ? BenchModels.load(folder, runtime, manager, only)
                : BenchModels.random(request.preset(), runtime, manager, request.seed(), only);
        VaeTiling tiles = checkMemory(unetConfig, vaeConfig, models.parameters(), h, w, batch, images, decodes,
                request, resident, available);
        if (request.peer() != null) {
            PeerBench.requireMemory(request.peer(), models.parameters(), SamplingMemory.estimate(unetConfig, vaeConfig,
                    0, h, w, batch, 0, null, List.of(Component.UNET)).unetBytes(), ProcessMemory.availableBytes());
        }
        ComponentTimer timer = new ComponentTimer(manager, request.warmup(), request.calls(),
                request.collectBeforeSample(), progress);
        long seed = request.seed();
        List<CallTimes> results = new ArrayList<>();
        if (only.contains("text_encoder")) {
            int[][] ids = tokenIds(batch, models.textEncoder().config().vocabSize());
            results.add(timer.time("text_encoder", batch + " x " + TOKENS + " tokens",
                    m -> models.textEncoder().encode(m, ids)));
        }
        if (only.contains("text_encoder_2")) {
            int[][] ids = tokenIds(batch, models.textEncoder2().config().vocabSize());
            results.add(timer.time("text_encoder_2", batch + " x " + TOKENS + " tokens",
                    m -> models.textEncoder2().encode(m, ids)));
        }
        PeerTimes peer = null;
        if (only.contains("unet")) {
            UNetInputs in = UNetInputs.of(models.unet().config(), configs.apply(Component.UNET), batch, h, w, f, seed);
            float[][] last = new float[1][];
            CallTimes ours = timer.time("unet", in.description(), m -> {
                NDArray out = models.unet().forward(m.create(in.sample(), in.latents()), TIMESTEP, in.conditioning(m));
                if (request.peer() != null) {
                    last[0] = out.toFloatArray();
                }
                return out;
            });
            results.add(ours);
            if (request.peer() != null) {
                peer = timePeer(request, folder, manager, in, last[0], ours.flopsPerCall(), progress);
            }
        }
        if (decodes) {
            Shape decoded = new Shape(images, vaeConfig.latentChannels(), h / f, w / f);
            float[] z = RandomTensor.normal(seed, "bench.latents", Math.toIntExact(decoded.size()), 1);
            String how = tiles != null && tiles.splits(h / f, w / f) ? ", " + tiles.tileSample() + "-pixel tiles" : "";
            results.add(timer.time("vae_decoder", shapeText(decoded) + " -> " + h + "x" + w + how,
                    m -> models.vae().decode(m.create(z, decoded), tiles)));
        }
        return new ComponentResults(models.description(), h, w, batch, Runtime.name(runtime.dtype()),
                Runtime.name(runtime.device()), results, peer);
    }

    /** The components whose weights the named benchmarks build. */
    static List<Component> weightComponents(Collection<String> benchmarks) {
        return benchmarks.stream().map(WEIGHTS::get).toList();
    }

    /** Refuses a run beyond the memory {@code available} before it; returns the decode's tiles (null: whole). */
    private static VaeTiling checkMemory(UNetConfig unet, VaeConfig vae, long parameters, int h, int w, int batch,
                                         int images, boolean decodes, BenchRequest request, List<Component> resident,
                                         long available) {
        VaeTiling tiles = decodes ? SamplingMemory.decodeTiling(vae, (double) Float.BYTES * parameters, h, w, images,
                request.tiling(), available) : null;
        SamplingMemory.require(SamplingMemory.estimate(unet, vae, parameters, h, w, batch, decodes ? images : 0, tiles,
                resident), h, w, available);
        return tiles;
    }

    /** A peer compares float32 on the CPU, on a UNet its graph covers; refused before anything is built. */
    private static void checkPeer(UNetPeer peer, UNetConfig unet, Runtime runtime, int latentH, int latentW) {
        if (unet == null) {
            throw new InputException("--peer " + peer.id() + " times the UNet: include unet in --only");
        }
        if (runtime.halfPrecision() || runtime.device().isGpu()) {
            throw new InputException("--peer " + peer.id() + " compares float32 on the CPU; drop --dtype and --device");
        }
        try {
            OrtUNet.requireSupported(unet, latentH, latentW);
        } catch (IllegalArgumentException e) {
            throw new InputException("--peer " + peer.id() + ": " + e.getMessage());
        }
    }

    /** The peer on the weights ours was built from: the model's tensors, or the preset's seeded ones. */
    private static PeerTimes timePeer(BenchRequest request, ModelSource folder, NDManager manager, UNetInputs in,
                                      float[] ours, long flops, PrintStream progress) {
        Function<Params, PeerTimes> time = weights -> PeerBench.time(request.peer(), in.config(),
                weights, in.latents().getShape(), in.sample(), in.text().get(1), in.states(), TIMESTEP, ours, flops,
                request.warmup(), request.calls(), Runtime.threads(), progress);
        if (folder == null) {
            return time.apply(Params.random(Runtime.cpu(), manager, request.seed()).sub(Component.UNET.folderName()));
        }
        try (TensorSource store = folder.tensors(Component.UNET)) {
            return time.apply(new Params(store, Runtime.cpu(), manager));
        }
    }

    /**
     * One UNet call's random latents and text states; a {@code text_time} UNet (SDXL) also gets random
     * pooled text and the time ids of an uncropped image of the bench's size.
     */
    private record UNetInputs(UNetConfig config, Shape latents, Shape text, float[] sample, float[] states,
                              boolean textTime, int pooledWidth, float[] pooled, float[] timeIds) {
        static UNetInputs of(UNetConfig config, Config raw, int batch, int h, int w, int f, long seed) {
            Shape latents = new Shape(batch, config.inChannels(), h / f, w / f);
            Shape text = new Shape(batch, TOKENS, config.crossAttentionDim()[0]);
            float[] sample = RandomTensor.normal(seed, "bench.sample", Math.toIntExact(latents.size()), 1);
            float[] states = RandomTensor.normal(seed, "bench.text_states", Math.toIntExact(text.size()), 1);
            boolean textTime = "text_time".equals(raw.getString("addition_embed_type", ""));
            int pooledWidth = textTime ? raw.getInt("projection_class_embeddings_input_dim")
                    - TIME_IDS * raw.getInt("addition_time_embed_dim") : 0;
            float[] pooled = RandomTensor.normal(seed, "bench.pooled_text", batch * pooledWidth, 1);
            float[] timeIds = new float[batch * TIME_IDS];
            for (int r = 0; r < batch; r++) {
                float[] row = {h, w, 0, 0, h, w};
                System.arraycopy(row, 0, timeIds, r * TIME_IDS, TIME_IDS);
            }
            return new UNetInputs(config, latents, text, sample, states, textTime, pooledWidth, pooled, timeIds);
        }

        String description() {
            return shapeText(latents) + " + text " + text.get(1) + "x" + text.get(2);
        }

        UNetConditioning conditioning(NDManager m) {
            int batch = (int) latents.get(0);
            return textTime ? new UNetConditioning(m.create(states, text), m.create(pooled, new Shape(batch,
                    pooledWidth)), m.create(timeIds, new Shape(batch, TIME_IDS)))
                    : UNetConditioning.text(m.create(states, text));
        }
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
