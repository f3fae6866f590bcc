package dev.conceptprune.prune;

import ai.djl.ndarray.NDManager;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.Progress;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.GuidanceBatch;
import dev.conceptprune.runtime.SeededNoise;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.pipeline.StepListener;
import dev.conceptprune.unet.UNetConditioning;
import dev.conceptprune.clip.ClipTextModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Step 1 of ConceptPrune: runs every base and target prompt and records the column statistics
 * of the pruning site's input. For the UNet feed-forward sites it runs the sampling loop but
 * stops after {@code tau} UNet calls (no further steps, no VAE decode; the reference procedure
 * runs all steps and decodes) and may put several prompts into one UNet batch; the statistics
 * are the same up to float rounding. The text-state sites need only the text encoder.
 */
public final class ConceptDiscovery {
    /** Statistics of both prompt sets and what it cost. */
    public record Result(ColumnNorms base, ColumnNorms target, int unetCalls, double seconds) {
    }

    private record Job(String prompt, long seed, int set) {
    }

    private final StableDiffusionPipeline pipeline;
    private final GenerationSettings settings;
    private final PruneSite site;
    private final int tau;
    private final int batch;
    private final Progress progress;
    private DiscoveryCheckpoint checkpoint;
    private java.util.function.IntConsumer afterBatch = done -> { };

    /**
     * @param settings steps, scheduler, guidance, size and negative prompt of the observation runs
     * @param batch prompts per UNet batch (each prompt brings its unconditional row too)
     * @param progress where progress goes, or null for none
     */
    public ConceptDiscovery(StableDiffusionPipeline pipeline, GenerationSettings settings, PruneSite site, int tau,
                            int batch, Progress progress) {
        if (batch < 1) {
            throw new InputException("batch must be >= 1, got " + batch);
        }
        if (tau < 1) {
            throw new InputException("tau must be >= 1, got " + tau);
        }
        this.pipeline = pipeline;
        this.settings = settings;
        this.site = site;
        this.tau = tau;
        this.batch = batch;
        this.progress = progress == null ? Progress.silent() : progress;
    }

    /** The paper's site ({@code ff.net.2}). */
    public ConceptDiscovery(StableDiffusionPipeline pipeline, GenerationSettings settings, int tau, int batch,
                            Progress progress) {
        this(pipeline, settings, PruneSite.FFN2, tau, batch, progress);
    }

    /** Saves statistics after every batch and resumes from a matching checkpoint. */
    public ConceptDiscovery withCheckpoint(DiscoveryCheckpoint c) {
        this.checkpoint = c;
        return this;
    }

    /** Called with the number of finished prompts after every batch (after the checkpoint is saved). */
    public ConceptDiscovery afterBatch(java.util.function.IntConsumer hook) {
        this.afterBatch = hook;
        return this;
    }

    /** UNet calls the reference procedure makes: every step of every prompt. */
    public static int referenceCalls(int prompts, int callsPerRun) {
        return prompts * callsPerRun;
    }

    /** Calls recorded per run: tau for the UNet sites, one text pass for the others. */
    public int recordedCalls() {
        return site.timeDependent() ? tau : 1;
    }

    /** Records base and target statistics for the prompt pairs. */
    public Result run(List<PromptPair> pairs) {
        int[] widths = site.widths(pipeline);
        ColumnNorms base = new ColumnNorms(recordedCalls(), widths);
        ColumnNorms target = new ColumnNorms(recordedCalls(), widths);
        ActivationRecorder recorder = new ActivationRecorder(site, recordedCalls(), base, target);
        List<Job> jobs = new ArrayList<>();
        for (PromptPair p : pairs) {
            jobs.add(new Job(p.base(), p.seed(), 0));
            jobs.add(new Job(p.target(), p.seed(), 1));
        }
        long start = System.nanoTime();
        int calls = 0;
        int resumed = checkpoint == null ? 0 : checkpoint.restore(base, target);
        if (resumed > 0) {
            progress.say("discovery [%s]: resuming after %d of %d prompts from the checkpoint", site.id(), resumed,
                    jobs.size());
        }
        Progress.Task task = progress.task("discovery [" + site.id() + "]", "prompt", jobs.size(), resumed);
        for (int from = resumed; from < jobs.size(); from += batch) {
            List<Job> chunk = jobs.subList(from, Math.min(jobs.size(), from + batch));
            GuidanceBatch guidance = GuidanceBatch.of(chunk.stream().map(Job::prompt).toList(), settings);
            // Both rows of a prompt (unconditional and conditional) count for the prompt's set.
            recorder.assignRows(guidance.perRow(chunk.stream().mapToInt(Job::set).toArray()));
            if (site.timeDependent()) {
                calls += sampleChunk(chunk, guidance, recorder, from, task);
            } else {
                encodeChunk(guidance, recorder, widths.length);
            }
            task.advance(chunk.size());
            if (checkpoint != null) {
                checkpoint.save(from + chunk.size(), base, target);
            }
            afterBatch.accept(from + chunk.size());
        }
        task.finish();
        return new Result(base, target, calls, (System.nanoTime() - start) / 1e9);
    }

    private int sampleChunk(List<Job> chunk, GuidanceBatch guidance, ActivationRecorder recorder, int done,
                            Progress.Task task) {
        float[] init = SeededNoise.drawEach(chunk.stream().map(Job::seed).toList(),
                pipeline.latentShape(1, settings.height(), settings.width()));
        StepListener listener = (call, all, t) -> {
            recorder.beforeUnetCall(call, all, t);
            task.detail(String.format(java.util.Locale.ROOT, "prompts %d-%d, call %d/%d", done + 1, done + chunk.size(),
                    call + 1, Math.min(tau, all)));
        };
        pipeline.setUnetObserver(recorder);
        try {
            pipeline.sample(guidance, settings, init, listener, tau);
        } finally {
            pipeline.setUnetObserver(null);
        }
        return tau;
    }

    private void encodeChunk(GuidanceBatch guidance, ActivationRecorder recorder, int layers) {
        try (NDManager m = pipeline.runtime().newManager()) {
            Collection<ClipTextModel> encoders = pipeline.textEncoders().values();
            if (site == PruneSite.TEXT_MLP) {
                // The encoders see only the rows the conditioner runs through them (SDXL's zeroed
                // negatives pass no encoder).
                int[] sets = recorder.assignedRows();
                int[] encoded = pipeline.conditioner().encodedRows(guidance);
                int[] seen = new int[encoded.length];
                for (int i = 0; i < encoded.length; i++) {
                    seen[i] = sets[encoded[i]];
                }
                recorder.assignRows(seen);
                // One layer numbering across the encoders, as PruneSite.layers lists them.
                int offset = 0;
                for (ClipTextModel encoder : encoders) {
                    int first = offset;
                    encoder.setMlpObserver((layer, x) -> recorder.onFc2Input(first + layer, x));
                    offset += encoder.config().layers();
                }
            }
            try {
                UNetConditioning conditioning = pipeline.conditioner().encode(m, guidance);
                if (site != PruneSite.TEXT_MLP) {
                    recorder.recordTextStates(conditioning, layers);
                }
            } finally {
                encoders.forEach(e -> e.setMlpObserver(null));
            }
        }
    }
}
