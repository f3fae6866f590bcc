package dev.conceptprune.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.conceptprune.io.Progress;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.prune.Concept;
import dev.conceptprune.prune.ConceptDiscovery;
import dev.conceptprune.prune.MaskBuilder;
import dev.conceptprune.prune.PromptPair;
import dev.conceptprune.prune.PruneMask;
import dev.conceptprune.prune.PruneSite;
import dev.conceptprune.runtime.CpuFlags;
import dev.conceptprune.runtime.Runtime;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each way of making a discovery cheaper costs in agreement: one baseline discovery (the
 * request's size and tau, one prompt per UNet batch) and one per option (a larger UNet batch, half
 * the image size, half the prompt pairs, half of tau, bf16 products), each timed and its mask compared
 * with the baseline's at the paper's skill ratio on {@code ff.net.2}. The baseline computes in float32,
 * the reference, whatever {@code --dtype} says.
 */
public final class DiscoveryOptionsBench {
    private static final int PAIRS = 8;
    private static final double GUIDANCE = 7.5;
    private static final double SKILL_RATIO = 0.01;

    private DiscoveryOptionsBench() {
    }

    /**
     * One option's discovery against the baseline.
     *
     * @param option      what it changes, e.g. {@code batch 4}
     * @param agreement   weights in both masks over weights in either (1: the same mask)
     * @param recall      the baseline mask's weights this mask also prunes
     * @param skipped     why the option was not run, or null
     */
    public record Row(String option, double seconds, int unetCalls, long maskWeights, double agreement,
                      double recall, String skipped) {
    }

    /** The baseline and every option, on the model of {@code request}. */
    public record Results(String model, int pairs, int tau, int steps, int height, int width, List<Row> rows) {
    }

    /** Runs the baseline and the options (the Stripes style's first {@value #PAIRS} prompt pairs, guidance 7.5). */
    public static Results measure(BenchRequest request, PrintStream progress) {
        DiscoveryModel target = DiscoveryModel.of(request);
        ModelSource folder = target.folder();
        int h = target.height();
        int w = target.width();
        int steps = request.steps();
        int tau = request.tau();
        List<PromptPair> pairs = Concept.style("Stripes", request.seed()).pairs().subList(0, PAIRS);
        Progress p = progress == null ? null : Progress.to(new PrintWriter(progress, true), false);
        Device device = Runtime.selected().device();
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(folder, Runtime.of(device, DataType.FLOAT32));
             TensorSource unet = folder.tensors(Component.UNET)) {
            DiscoveryModel.requireTau(pipe, steps, tau);
            List<String> params = PruneSite.FFN2.parameters(pipe);
            Run base = run(pipe, unet, params, settings(steps, h, w), tau, 1, pairs, p);
            List<Row> rows = new ArrayList<>();
            rows.add(base.row("baseline: batch 1, " + h + "x" + w + ", " + PAIRS + " pairs, tau " + tau, base));
            int batch = Math.max(2, request.batch());
            rows.add(run(pipe, unet, params, settings(steps, h, w), tau, batch, pairs, p)
                    .row("batch " + batch, base));
            int h2 = h / 2;
            int w2 = w / 2;
            rows.add(h2 % 8 == 0 && w2 % 8 == 0
                    ? run(pipe, unet, params, settings(steps, h2, w2), tau, 1, pairs, p).row("size " + h2 + "x" + w2, base)
                    : new Row("size " + h2 + "x" + w2, 0, 0, 0, 0, 0, "half the size is not a multiple of 8"));
            rows.add(run(pipe, unet, params, settings(steps, h, w), tau, 1, pairs.subList(0, PAIRS / 2), p)
                    .row(PAIRS / 2 + " pairs", base));
            rows.add(tau >= 2
                    ? run(pipe, unet, params, settings(steps, h, w), tau / 2, 1, pairs, p).row("tau " + tau / 2, base)
                    : new Row("tau " + tau / 2, 0, 0, 0, 0, 0, "tau is 1"));
            rows.add(halfRow(folder, device, unet, params, settings(steps, h, w), tau, pairs, p, base));
            return new Results(folder.location().toString(), PAIRS, tau, steps, h, w, rows);
        }
    }

    /** The baseline's discovery with 16-bit products: fp16 on a CUDA device, bf16 where the CPU has it. */
    private static Row halfRow(ModelSource folder, Device device, TensorSource unet, List<String> params,
                               GenerationSettings settings, int tau, List<PromptPair> pairs, Progress progress,
                               Run base) {
        DataType half = device.isGpu() ? DataType.FLOAT16 : DataType.BFLOAT16;
        String label = "dtype " + Runtime.name(half);
        if (!device.isGpu() && !CpuFlags.hasBf16()) {
            return new Row(label, 0, 0, 0, 0, 0, "the CPU has neither avx512_bf16 nor amx_bf16");
        }
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(folder, Runtime.of(device, half))) {
            return run(pipe, unet, params, settings, tau, 1, pairs, progress).row(label, base);
        }
    }

    private static GenerationSettings settings(int steps, int h, int w) {
        return new GenerationSettings("", "", steps, GUIDANCE, null, 0, h, w, 1, null);
    }

    private static Run run(StableDiffusionPipeline pipe, TensorSource unet, List<String> params,
                           GenerationSettings settings, int tau, int batch, List<PromptPair> pairs, Progress progress) {
        ConceptDiscovery.Result r = new ConceptDiscovery(pipe, settings, tau, batch, progress).run(pairs);
        PruneMask mask = MaskBuilder.build(unet, params, r.base(), r.target(), SKILL_RATIO, tau, 0, Map.of());
        return new Run(r, mask);
    }

    private record Run(ConceptDiscovery.Result result, PruneMask mask) {
        Row row(String option, Run base) {
            MaskOverlap o = MaskOverlap.of(base.mask, mask);
            return new Row(option, result.seconds(), result.unetCalls(), mask.count(), o.agreement(), o.recall(),
                    null);
        }
    }
}
