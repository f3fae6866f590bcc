package dev.conceptprune.prune;

import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.SeededNoise;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.unet.FeedForwardLayer;
import dev.conceptprune.unet.UNet2DConditionModel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 1 of ConceptPrune: runs the sampling loop for every base and target prompt and records
 * the column statistics of the first {@code tau} UNet calls. Unlike the reference procedure it
 * stops each run after {@code tau} calls (no further steps, no VAE decode) and may put several
 * prompts into one UNet batch; the statistics are the same up to float rounding.
 */
public final class ConceptDiscovery {
    /** Statistics of both prompt sets and what it cost. */
    public record Result(ColumnNorms base, ColumnNorms target, int unetCalls, double seconds) {
    }

    private record Job(String prompt, long seed, int set) {
    }

    private final StableDiffusionPipeline pipeline;
    private final GenerationSettings settings;
    private final int tau;
    private final int batch;
    private final PrintStream progress;

    /**
     * @param settings steps, scheduler, guidance, size and negative prompt of the observation runs
     * @param batch prompts per UNet batch (each prompt brings its unconditional row too)
     * @param progress where progress lines go, or null
     */
    public ConceptDiscovery(StableDiffusionPipeline pipeline, GenerationSettings settings, int tau, int batch,
                            PrintStream progress) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        this.pipeline = pipeline;
        this.settings = settings;
        this.tau = tau;
        this.batch = batch;
        this.progress = progress;
    }

    /** UNet calls the reference procedure would make: every step of every prompt. */
    public static int referenceCalls(int prompts, int callsPerRun) {
        return prompts * callsPerRun;
    }

    /** Records base and target statistics for the prompt pairs. */
    public Result run(List<PromptPair> pairs) {
        UNet2DConditionModel unet = pipeline.unet();
        int[] widths = unet.feedForwardLayers().stream().mapToInt(FeedForwardLayer::inner).toArray();
        ColumnNorms base = new ColumnNorms(tau, widths);
        ColumnNorms target = new ColumnNorms(tau, widths);
        ActivationRecorder recorder = new ActivationRecorder(tau, base, target);
        List<Job> jobs = new ArrayList<>();
        for (PromptPair p : pairs) {
            jobs.add(new Job(p.base(), p.seed(), 0));
            jobs.add(new Job(p.target(), p.seed(), 1));
        }
        boolean cfg = settings.guidance() > 1.0;
        long start = System.nanoTime();
        int calls = 0;
        unet.setObserver(recorder);
        try {
            for (int from = 0; from < jobs.size(); from += batch) {
                List<Job> chunk = jobs.subList(from, Math.min(jobs.size(), from + batch));
                List<String> prompts = new ArrayList<>();
                int[] rows = new int[(cfg ? 2 : 1) * chunk.size()];
                float[] init = new float[0];
                for (int b = 0; b < chunk.size(); b++) {
                    Job j = chunk.get(b);
                    prompts.add(j.prompt());
                    rows[b] = j.set();
                    if (cfg) {
                        rows[chunk.size() + b] = j.set();
                    }
                    init = concat(init, SeededNoise.draw(j.seed(),
                            pipeline.latentShape(1, settings.height(), settings.width())));
                }
                recorder.assignRows(rows);
                int done = from;
                StepListener listener = (call, total, t) -> {
                    recorder.beforeUnetCall(call, total, t);
                    if (progress != null) {
                        progress.printf("discovery: prompts %d-%d of %d, call %d/%d%s%n", done + 1,
                                done + chunk.size(), jobs.size(), call + 1, Math.min(tau, total), eta(start, done, jobs.size()));
                    }
                };
                pipeline.sample(prompts, settings, init, listener, tau);
                calls += tau;
            }
        } finally {
            unet.setObserver(null);
        }
        return new Result(base, target, calls, (System.nanoTime() - start) / 1e9);
    }

    private static String eta(long start, int done, int total) {
        if (done == 0) {
            return "";
        }
        double perPrompt = (System.nanoTime() - start) / 1e9 / done;
        return String.format("  ETA %.0f s", perPrompt * (total - done));
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
