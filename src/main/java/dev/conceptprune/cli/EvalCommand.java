package dev.conceptprune.cli;

import dev.conceptprune.eval.ClipScorer;
import dev.conceptprune.eval.EvalModel;
import dev.conceptprune.eval.EvalPlan;
import dev.conceptprune.eval.EvalRun;
import dev.conceptprune.eval.FileStamp;
import dev.conceptprune.eval.PromptSet;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.weights.Component;
import dev.conceptprune.weights.ModelFolder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        description = {"Generate one image per prompt row with each --model, score the images with",
            "CLIP (CLIP score against the prompt, zero-shot over --labels) and write",
            "OUT/images/<model>/<row>.png, OUT/manifest.jsonl, OUT/metrics.json and",
            "OUT/report.html: models side by side, with differences from the first model.",
            "Rows use their evaluation_seed and evaluation_guidance when the CSV gives them.",
            "Re-running the same command reuses every image whose model files and settings",
            "are unchanged, so an interrupted run continues where it stopped.",
            "Progress goes to stderr."})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Diffusers model folder; repeat to compare models (the first is the baseline).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--prompts", required = true, paramLabel = "FILE",
            description = "CSV with a 'prompt' column (optional evaluation_seed, evaluation_guidance, case_number,"
                    + " label columns) or a text file with one prompt per line.")
    Path prompts;

    @Option(names = "--clip", paramLabel = "DIR", description = "CLIP model folder (Hugging Face layout) for scoring.")
    Path clip;

    @Option(names = "--labels", paramLabel = "TEXT",
            description = "Zero-shot label, e.g. \"a photo of a man\"; repeat for each label. Needs --clip.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--label-column", paramLabel = "NAME",
            description = "Prompt-file column holding each row's expected label (one of --labels): reports accuracy.")
    String labelColumn;

    @Option(names = "--batch", defaultValue = "4", description = "Prompts per UNet batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--force",
            description = "Write into an output folder that holds another evaluation (its files are removed) or other files.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        EvalPlan plan = plan(models, prompts, sampling, labels, labelColumn);
        checkClip(clip, labels);
        EvalRun.Summary s = new EvalRun(plan, clip, batch, out, spec.commandLine().getErr()).run(force);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "eval: %d images: %d generated, %d reused, %d scored in %.1f s%n", s.images(),
                s.generated(), s.reused(), s.scored(), s.seconds());
        o.println("report: " + out.resolve("report.html").toAbsolutePath());
        o.flush();
        return 0;
    }

    /** Everything checked that can be without loading weights, so bad input fails in seconds. */
    /** Checks a CLIP folder (and that labels come with one) before any heavy work. */
    static void checkClip(Path clip, List<String> labels) {
        if (clip != null) {
            if (!Files.isDirectory(clip)) {
                throw new IllegalArgumentException("--clip " + clip + ": folder not found");
            }
            ClipScorer.check(clip);
        } else if (!labels.isEmpty()) {
            throw new IllegalArgumentException("--labels needs --clip to classify the images");
        }
    }

    /** The evaluation plan for models and a prompt file, validated before any heavy work. */
    static EvalPlan plan(List<Path> models, Path prompts, SamplingOptions sampling, List<String> labels,
                         String labelColumn) {
        if (!Files.isRegularFile(prompts)) {
            throw new IllegalArgumentException("--prompts " + prompts + ": file not found");
        }
        List<String> names = EvalPlan.uniqueNames(models);
        List<EvalModel> evalModels = new ArrayList<>();
        GenerationSettings defaults = null;
        for (int i = 0; i < models.size(); i++) {
            ModelFolder folder = ModelFolder.open(models.get(i));
            for (Component component : List.of(Component.UNET, Component.VAE, Component.TEXT_ENCODER)) {
                folder.weightFiles(component);
            }
            folder.componentDir(Component.TOKENIZER);
            folder.configPath(Component.SCHEDULER);
            int[] size = sampling.size(folder);
            // Checks the sampler options at this model's size; the plan then sets the size per model.
            defaults = sampling.settings("", size, 1);
            evalModels.add(new EvalModel(names.get(i), models.get(i).toAbsolutePath().normalize(),
                    FileStamp.ofModel(folder), size[0], size[1]));
        }
        return EvalPlan.of(evalModels, PromptSet.read(prompts), defaults, labels, labelColumn);
    }
}
