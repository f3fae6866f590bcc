package dev.conceptprune.cli;

import dev.conceptprune.eval.EvalPlan;
import dev.conceptprune.eval.EvalPlanner;
import dev.conceptprune.eval.EvalRequest;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.eval.EvalRun;
import dev.conceptprune.eval.Evaluation;
import dev.conceptprune.eval.SamplingDefaults;
import dev.conceptprune.eval.PromptSet;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.io.Progress;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.model.SingleFileSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Generates a prompt set with one or more models and compares them with CLIP. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare models on a prompt set, scored with CLIP.",
            "",
            "Generates one image per prompt row with each --model, scores the images with CLIP (CLIP score against "
                    + "the prompt, zero-shot over --labels) and writes OUT/images/<model>/<row>.png, "
                    + "OUT/manifest.jsonl, OUT/metrics.json and OUT/report.html: models side by side, with "
                    + "differences from the first model. Rows use their evaluation_seed and evaluation_guidance when "
                    + "the CSV gives them.",
            "",
            "Re-running the same command reuses every image whose model files and settings are unchanged, so an "
                    + "interrupted run continues where it stopped; several runs of the same command may fill one "
                    + "--out at once. Progress goes to stderr.",
            ""})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "Diffusers model folder or single-file checkpoint; repeat to compare models (the first is"
                    + " the baseline). The single-file options apply to every single-file --model.")
    List<Path> models = new ArrayList<>();

    @Option(names = "--prompts", required = true, paramLabel = "FILE",
            description = "CSV with a 'prompt' column (optional evaluation_seed, evaluation_guidance, case_number,"
                    + " label columns) or a text file with one prompt per line.")
    Path prompts;

    @Option(names = "--clip", paramLabel = "DIR", description = "CLIP model folder (Hugging Face layout) for scoring, "
            + "e.g. openai/clip-vit-large-patch14 fetched once with `huggingface-cli download "
            + "openai/clip-vit-large-patch14 --local-dir DIR` (config.json, preprocessor_config.json, tokenizer "
            + "files, model.safetensors).")
    Path clip;

    @Option(names = "--labels", paramLabel = "TEXT",
            description = "Zero-shot label, e.g. \"a photo of a man\"; repeat for each label. Needs --clip.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--label-column", paramLabel = "NAME",
            description = "Prompt-file column holding each row's expected label (one of --labels): reports accuracy.")
    String labelColumn;

    @Option(names = "--batch", defaultValue = "4", paramLabel = "N",
            description = "Prompts per UNet batch (default: ${DEFAULT-VALUE}; erase discovers with 1 to checkpoint "
                    + "after every prompt).")
    int batch;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    VaeTilingOption vaeTiling;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--force",
            description = "Write into an output folder that holds another evaluation (its files are removed) or other files.")
    boolean force;

    @Mixin
    CheckpointOptions checkpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", models).clearOf("CLIP model", clip)
                .folder());
        if (batch < 1) {
            throw new InputException("--batch must be >= 1, got " + batch);
        }
        PromptSet set = checkPrompts(prompts, labels, labelColumn);
        checkClip(clip, labels);
        Path first = models.get(0);
        SingleFileOptions firstOptions = SingleFileSource.accepts(first) ? checkpoint.options() : SingleFileOptions.NONE;
        PromptWarnings.of(ModelSource.open(first, firstOptions), Main.progress(spec)).file(set);
        EvalRequest request = new EvalRequest(models, checkpoint.options(), prompts, defaults(sampling), labels,
                labelColumn, clip, batch, out, force, vaeTiling.tiling(ModelSource.open(first, firstOptions)));
        EvalRun.Summary s = Evaluation.run(request, Progress.to(spec.commandLine().getErr(), false));
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "eval: %d images: %d generated, %d reused, %d scored in %.1f s%n", s.images(),
                s.generated(), s.reused(), s.scored(), s.seconds());
        o.println("report: " + out.resolve("report.html").toAbsolutePath());
        o.flush();
        return 0;
    }

    /** The sampler options as an evaluation's defaults, at each model's size. */
    static SamplingDefaults defaults(SamplingOptions sampling) {
        return folder -> sampling.settings(folder, "", sampling.size(folder), 1);
    }

    /** Checks a CLIP folder (and that labels come with one); see {@link EvalPlanner#checkClip}. */
    static void checkClip(Path clip, List<String> labels) {
        if (clip == null && !labels.isEmpty()) {
            throw new InputException("--labels needs --clip to classify the images");
        }
        if (clip != null && !Files.isDirectory(clip)) {
            throw new InputException("--clip " + clip + ": folder not found");
        }
        ErrorHandler.option("--clip", () -> {
            EvalPlanner.checkClip(clip, labels);
            return null;
        });
    }

    /**
     * Reads the prompt file and checks the labels against it, before any model is opened; the reader's
     * errors name the file, not an option, as erase --eval reads it too.
     */
    static PromptSet checkPrompts(Path prompts, List<String> labels, String labelColumn) {
        PromptSet set = PromptSet.read(prompts);
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new InputException("--labels repeats a label: " + labels);
        }
        if (labelColumn != null) {
            if (labels.isEmpty()) {
                throw new InputException("--label-column needs --labels to compare against");
            }
            ErrorHandler.option("--label-column", () -> {
                EvalPlan.checkLabelColumn(set, labels, labelColumn);
                return null;
            });
        }
        return set;
    }

    /** The evaluation plan for models and a prompt file; see {@link EvalPlanner#plan(List, SingleFileOptions, Path, SamplingDefaults, List, String, int, DecodeTiling)}. */
    static EvalPlan plan(List<Path> models, SingleFileOptions options, Path prompts, SamplingOptions sampling, List<String> labels,
                         String labelColumn, int batch, DecodeTiling tiling) {
        checkPrompts(prompts, labels, labelColumn);
        return EvalPlanner.plan(models, options, prompts, defaults(sampling), labels, labelColumn, batch, tiling);
    }
}
