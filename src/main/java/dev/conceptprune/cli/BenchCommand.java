package dev.conceptprune.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.conceptprune.bench.BenchModels;
import dev.conceptprune.bench.BenchReport;
import dev.conceptprune.bench.CallTimes;
import dev.conceptprune.bench.ComponentTimer;
import dev.conceptprune.bench.DiscoveryBench;
import dev.conceptprune.bench.DiscoveryComparison;
import dev.conceptprune.bench.MachinePeak;
import dev.conceptprune.nn.RandomTensor;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.runtime.Runtime;
import dev.conceptprune.scheduler.Scheduler;
import dev.conceptprune.unet.UNetConditioning;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.Preset;
import dev.conceptprune.model.TensorSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Speed and memory figures of the text encoder, UNet and VAE decoder, or of one concept discovery. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the text encoder, the UNet and the VAE decoder (median and min over --calls after",
            "--warmup), with analytic FLOPs, achieved GFLOP/s, share of the machine's fp32 peak, a per-op",
            "profile and memory; or, with --discovery, one ConceptPrune discovery with early stop and",
            "batching against the reference procedure. Progress goes to stderr."})
public final class BenchCommand implements Callable<Integer> {
    private static final int TOKENS = 77;
    private static final float TIMESTEP = 500f;
    private static final int DISCOVERY_PAIRS = 4;
    private static final int QUICK_STEPS = 12;
    private static final double SKILL_RATIO = 0.01;
    private static final List<String> COMPONENTS = List.of("text_encoder", "unet", "vae_decoder");

    @Option(names = "--model", paramLabel = "DIR", description = "Diffusers model folder (default: the embedded toy-world model).")
    Path model;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "sd15 or sd21: the published configs with seeded random weights, instead of --model.")
    String preset;

    @Option(names = "--height", description = "Image height (default: 512 for presets, else the model's native size).")
    Integer height;

    @Option(names = "--width", description = "Image width (default: as height).")
    Integer width;

    @Option(names = "--batch", defaultValue = "2",
            description = "UNet and text-encoder batch rows; the VAE decodes batch/2 images, as with guidance "
                    + "(default: ${DEFAULT-VALUE}). With --discovery: prompts per UNet batch.")
    int batch;

    @Option(names = "--calls", description = "Timed calls per component (default: 5, --quick 2).")
    Integer calls;

    @Option(names = "--warmup", description = "Untimed calls first (default: 1).")
    Integer warmup;

    @Option(names = "--only", paramLabel = "NAME", split = ",",
            description = "Time only these components: text_encoder, unet, vae_decoder (default: all).")
    List<String> only = new ArrayList<>(COMPONENTS);

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random weights and inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--quick", description = "A fast run for CI: the toy model unless --model/--preset, 2 calls, "
            + QUICK_STEPS + " steps for --discovery.")
    boolean quick;

    @Option(names = "--leak-check", description = "Collect the Java heap before reading the resident set after each "
            + "call (untimed), so that its trend over --calls shows live memory only.")
    boolean leakCheck;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of tables.")
    boolean json;

    @Option(names = "--discovery", description = "Time one discovery (4 prompt pairs) against the reference procedure.")
    boolean discovery;

    @Option(names = "--steps", description = "Denoising steps for --discovery (default: 50, --quick " + QUICK_STEPS + ").")
    Integer steps;

    @Option(names = "--tau", defaultValue = "10", description = "UNet calls observed in --discovery (default: ${DEFAULT-VALUE}).")
    int tau;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        validate();
        int threads = Runtime.pinThreads();
        PrintWriter out = spec.commandLine().getOut();
        Runtime runtime = Runtime.cpu();
        try (NDManager manager = runtime.newManager()) {
            BenchReport report = new BenchReport(MachinePeak.detect(), threads);
            if (discovery) {
                runDiscovery(report, out);
            } else {
                runComponents(runtime, manager, report, out);
            }
        }
        out.flush();
        return 0;
    }

    private void validate() {
        if (model != null && preset != null) {
            throw new IllegalArgumentException("give --model or --preset, not both");
        }
        if (discovery && preset != null) {
            throw new IllegalArgumentException("--discovery needs a model folder (tokenizer, scheduler, weights); "
                    + "--preset builds networks with random weights only");
        }
        if (!COMPONENTS.containsAll(only)) {
            throw new IllegalArgumentException("--only takes text_encoder, unet and vae_decoder, got " + only);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        if ((height != null && (height <= 0 || height % 8 != 0)) || (width != null && (width <= 0 || width % 8 != 0))) {
            throw new IllegalArgumentException("--height and --width must be positive multiples of 8");
        }
    }

    private void runComponents(Runtime runtime, NDManager manager, BenchReport report, PrintWriter out) {
        DiffusersFolder folder = preset == null ? DiffusersFolder.open(model == null ? DefaultModel.model() : model) : null;
        System.err.println("bench: building the networks...");
        BenchModels models = folder != null ? BenchModels.load(folder, runtime, manager)
                : BenchModels.random(Preset.parse(preset), runtime, manager, seed);
        int h = height != null ? height : folder == null ? 512 : SamplingOptions.nativeSize(folder);
        int w = width != null ? width : h;
        int f = models.vae().scaleFactor();
        if (h % f != 0 || w % f != 0) {
            throw new IllegalArgumentException("--height and --width must be multiples of the VAE factor " + f);
        }
        ComponentTimer timer = new ComponentTimer(manager, warmup != null ? warmup : 1,
                calls != null ? calls : quick ? 2 : 5, leakCheck, System.err);
        int images = Math.max(1, batch / 2);
        Shape latents = new Shape(batch, models.unet().config().inChannels(), h / f, w / f);
        Shape decoded = new Shape(images, models.vae().config().latentChannels(), h / f, w / f);
        Shape text = new Shape(batch, TOKENS, models.unet().config().crossAttentionDim()[0]);
        float[] sample = RandomTensor.normal(seed, "bench.sample", Math.toIntExact(latents.size()), 1);
        float[] states = RandomTensor.normal(seed, "bench.text_states", Math.toIntExact(text.size()), 1);
        float[] z = RandomTensor.normal(seed, "bench.latents", Math.toIntExact(decoded.size()), 1);
        int[][] ids = tokenIds(batch, models.textEncoder().config().vocabSize());

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
        if (json) {
            out.println(report.componentsJson(results, models.description()));
        } else {
            out.printf("bench: %s, %dx%d, batch %d%n", models.description(), h, w, batch);
            report.machineText(out);
            report.componentsText(out, results);
        }
    }

    private void runDiscovery(BenchReport report, PrintWriter out) {
        DiffusersFolder folder = DiffusersFolder.open(model == null ? DefaultModel.model() : model);
        int size = SamplingOptions.nativeSize(folder);
        int h = height != null ? height : size;
        int w = width != null ? width : h;
        int n = steps != null ? steps : quick ? QUICK_STEPS : 50;
        GenerationSettings settings = new GenerationSettings("", "", n, 7.5, null, 0, h, w, 1, null);
        List<PromptPair> pairs = Concept.style("Stripes", seed).pairs().subList(0, DISCOVERY_PAIRS);
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(folder);
             TensorSource unet = folder.tensors(Component.UNET)) {
            Scheduler scheduler = pipe.scheduler(null);
            scheduler.setTimesteps(n);
            if (tau > scheduler.numModelCalls()) {
                throw new IllegalArgumentException("--tau " + tau + " exceeds the UNet calls of a " + n + "-step run");
            }
            DiscoveryComparison c = new DiscoveryBench(pipe, settings, tau, batch, System.err)
                    .run(pairs, unet, SKILL_RATIO);
            if (json) {
                out.println(report.discoveryJson(c, batch, folder.root().toString()));
            } else {
                out.printf("bench --discovery: %s, %d prompt pairs, tau %d, %d steps (model's scheduler), "
                        + "guidance 7.5, %dx%d%n", folder.root(), pairs.size(), tau, n, h, w);
                report.machineText(out);
                report.discoveryText(out, c, batch);
            }
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
