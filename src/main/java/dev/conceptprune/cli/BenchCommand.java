package dev.conceptprune.cli;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.bench.BenchHistory;
import dev.conceptprune.bench.BenchReport;
import dev.conceptprune.bench.BenchRequest;
import dev.conceptprune.bench.ComponentBench;
import dev.conceptprune.bench.ComponentResults;
import dev.conceptprune.bench.DiscoveryBench;
import dev.conceptprune.bench.DiscoveryOptionsBench;
import dev.conceptprune.bench.DiscoveryResults;
import dev.conceptprune.bench.MachinePeak;
import dev.conceptprune.bench.UNetPeer;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.Preset;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.runtime.Runtime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Speed and memory figures of the text encoder, UNet and VAE decoder, or of one concept discovery. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the text encoder, UNet and VAE decoder, or one discovery.",
            "",
            "Times each component (median and min over --calls after --warmup) with analytic FLOPs, achieved "
                    + "GFLOP/s, the share of the machine's fp32 peak, a per-op profile and memory; or, with "
                    + "--discovery, one ConceptPrune discovery with early stop and batching against the reference "
                    + "procedure. Progress goes to stderr.",
            "",
            "The machine line also says how MKL chose its kernels: intel when the launcher preloaded its shim "
                    + "(the default; it gives AMD CPUs MKL's fast kernels), vendor with CONCEPTPRUNE_MKL=vendor.",
            "",
            "The run line says how float32 3x3 convolutions computed (the global --conv); the profile's winograd "
                    + "entry counts those Winograd took at the direct convolution's FLOPs, so its GFLOP/s is an "
                    + "effective rate and may pass the peak. Compare --conv direct, winograd and winograd4 in "
                    + "separate runs with --history and --compare.",
            ""})
public final class BenchCommand implements Callable<Integer> {
    private static final int QUICK_STEPS = 12;

    @Mixin
    ModelOption model;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "sd15, sd21 or sdxl: the published configs with seeded random weights, instead of --model.")
    String preset;

    @Option(names = "--height", paramLabel = "PIXELS",
            description = "Image height (default: 512 for presets, else the model's native size).")
    Integer height;

    @Option(names = "--width", paramLabel = "PIXELS", description = "Image width (default: as height).")
    Integer width;

    @Option(names = "--batch", defaultValue = "2", paramLabel = "N",
            description = "UNet and text-encoder batch rows; the VAE decodes batch/2 images, as with guidance "
                    + "(default: ${DEFAULT-VALUE}, one guided image). With --discovery: prompts per UNet batch.")
    int batch;

    @Option(names = "--calls", paramLabel = "N", description = "Timed calls per component (default: 5, --quick 2).")
    Integer calls;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed calls first (default: 1).")
    Integer warmup;

    @Option(names = "--only", paramLabel = "NAME", split = ",",
            description = "Time only these components: text_encoder, text_encoder_2 (SDXL), unet, vae_decoder "
                    + "(default: all the model has); only these are built.")
    List<String> only;

    @Mixin
    VaeTilingOption vaeTiling;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N",
            description = "Seed of the random weights and inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--quick", description = "A fast run for CI: the toy model unless --model/--preset, 2 calls, "
            + QUICK_STEPS + " steps for --discovery.")
    boolean quick;

    @Option(names = "--leak-check", description = "Collect the Java heap before reading the resident set after each "
            + "call (untimed), so that its trend over --calls shows live memory only.")
    boolean leakCheck;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of tables.")
    boolean json;

    @Option(names = "--history", paramLabel = "FILE",
            description = "Append this run's figures (each component's median time and share of the peak, the "
                    + "peak memory, the settings) to FILE, one JSON line per run.")
    Path history;

    @Option(names = "--compare", paramLabel = "N", arity = "0..1", fallbackValue = "10",
            description = "After the run, print the last N runs of --history side by side, this one last "
                    + "(default N: 10).")
    Integer compare;

    @Option(names = "--peer", paramLabel = "ENGINE",
            description = "Also time the UNet on another engine, on the same weights and inputs, after ours: ort "
                    + "(ONNX Runtime's CPU provider, the bundled version, on our UNet written as an ONNX graph of "
                    + "standard operators) or ort-mha (the same with its fused MultiHeadAttention). Prints its "
                    + "times, its share of the peak, ours over its median, the largest difference between the two "
                    + "noise predictions and its own per-operator profile; --history records it as unet@ENGINE. "
                    + "Float32 on the CPU, SD 1.x and 2.x UNets; needs about three more copies of the UNet's "
                    + "weights in memory.")
    String peer;

    @Option(names = "--discovery", description = "Time one discovery (4 prompt pairs) against the reference procedure.")
    boolean discovery;

    @Option(names = "--discovery-options",
            description = "Time what makes a discovery cheaper and what it costs in agreement: a baseline discovery "
                    + "(8 prompt pairs, one prompt per UNet batch) against a larger --batch (at least 2), half the "
                    + "image size (erase --height/--width), half the prompt pairs and half of --tau, each mask "
                    + "compared with the baseline's.")
    boolean discoveryOptions;

    @Option(names = "--steps", paramLabel = "N",
            description = "Denoising steps for --discovery (default: 50 as for erase, --quick " + QUICK_STEPS + ").")
    Integer steps;

    @Option(names = "--tau", defaultValue = "10", paramLabel = "N",
            description = "UNet calls observed in --discovery (default: ${DEFAULT-VALUE}).")
    int tau;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        BenchRequest request = request();
        int threads = Runtime.pinThreads();
        PrintWriter out = spec.commandLine().getOut();
        MachinePeak machine = MachinePeak.detect();
        BenchReport report = new BenchReport(machine, threads);
        if (discoveryOptions) {
            DiscoveryOptionsBench.Results results = DiscoveryOptionsBench.measure(request, System.err);
            if (json) {
                out.println(report.discoveryOptionsJson(results));
            } else {
                report.discoveryOptionsText(out, results);
            }
        } else if (discovery) {
            DiscoveryResults results = DiscoveryBench.measure(request, System.err);
            if (json) {
                out.println(report.discoveryJson(results));
            } else {
                report.discoveryText(out, results);
            }
        } else {
            Runtime runtime = Runtime.selected();
            try (NDManager manager = runtime.newManager()) {
                ComponentResults results = ComponentBench.run(request, runtime, manager, System.err);
                if (json) {
                    out.println(report.componentsJson(results));
                } else {
                    report.componentsText(out, results);
                }
                if (history != null) {
                    BenchHistory.append(history, BenchHistory.of(results, machine, threads, Instant.now()));
                    if (compare != null) {
                        List<BenchHistory.Run> runs = BenchHistory.read(history);
                        // on stderr with --json, so that stdout stays one JSON object
                        PrintWriter table = json ? spec.commandLine().getErr() : out;
                        BenchReport.compareText(table, runs.subList(Math.max(0, runs.size() - compare), runs.size()));
                        table.flush();
                    }
                }
            }
        }
        out.flush();
        return 0;
    }

    /** The decode's tiling, checked against the VAE that will be built. */
    private DecodeTiling tiling(Preset presetConfigs, Path folder) {
        DecodeTiling request = vaeTiling.request();
        if (request.tiled() && presetConfigs != null) {
            VaeConfig vae = VaeConfig.from(presetConfigs.config(Component.VAE));
            ErrorHandler.option("--vae-tiling", () -> request.tiles(vae));
            return request;
        }
        return folder != null && request.tiled() ? vaeTiling.tiling(model.open()) : request;
    }

    /** The options checked and their defaults applied. */
    private BenchRequest request() {
        if (model.given() && preset != null) {
            throw new InputException("give --model or --preset, not both");
        }
        if (compare != null && (history == null || compare < 1)) {
            throw new InputException("--compare N (N >= 1) prints the runs of --history FILE: give both");
        }
        if ((discovery || discoveryOptions) && history != null) {
            throw new InputException("--history records component runs, not --discovery or --discovery-options");
        }
        if (history != null) {
            ErrorHandler.option("--history", () -> BenchHistory.read(history));
        }
        if (peer != null && (discovery || discoveryOptions)) {
            throw new InputException("--peer times the UNet beside ours, not --discovery or --discovery-options");
        }
        UNetPeer peerEngine = peer == null ? null : ErrorHandler.option("--peer", () -> UNetPeer.parse(peer));
        if (discovery && discoveryOptions) {
            throw new InputException("give --discovery or --discovery-options, not both");
        }
        if ((discovery || discoveryOptions) && preset != null) {
            throw new InputException((discovery ? "--discovery" : "--discovery-options") + " needs a model folder "
                    + "(tokenizer, scheduler, weights); --preset builds networks with random weights only");
        }
        if (only != null && !ComponentBench.COMPONENTS.containsAll(only)) {
            throw new InputException("--only takes text_encoder, text_encoder_2, unet and vae_decoder, got " + only);
        }
        if (batch < 1) {
            throw new InputException("--batch must be >= 1, got " + batch);
        }
        int warmupCalls = warmup != null ? warmup : 1;
        int timedCalls = calls != null ? calls : quick ? 2 : 5;
        if (warmupCalls < 0 || timedCalls < 1) {
            throw new InputException("--warmup must be >= 0 and --calls >= 1, got " + warmupCalls + " and "
                    + timedCalls);
        }
        if ((height != null && (height <= 0 || height % 8 != 0)) || (width != null && (width <= 0 || width % 8 != 0))) {
            throw new InputException("--height and --width must be positive multiples of 8");
        }
        Preset presetConfigs = preset == null ? null : ErrorHandler.option("--preset", () -> Preset.parse(preset));
        Path folder = presetConfigs == null ? model.folder() : null;
        return new BenchRequest(folder, model.checkpoint.options(), presetConfigs, height, width, batch, timedCalls, warmupCalls, only, seed,
                leakCheck, steps != null ? steps : quick ? QUICK_STEPS : 50, tau, tiling(presetConfigs, folder),
                peerEngine);
    }
}
