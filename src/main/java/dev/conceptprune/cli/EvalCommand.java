package dev.conceptprune.cli;

import dev.conceptprune.eval.BenchmarkSuite;
import dev.conceptprune.pipeline.SdxlConditions;
import dev.conceptprune.eval.EvalPlan;
import dev.conceptprune.eval.EvalPlanner;
import dev.conceptprune.eval.EvalRequest;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.eval.EvalRun;
import dev.conceptprune.eval.ImageGeneration;
import dev.conceptprune.eval.Evaluation;
import dev.conceptprune.eval.SamplingDefaults;
import dev.conceptprune.eval.PromptSet;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.OutputLocation;
import dev.conceptprune.io.Staging;
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
                    + " the baseline). The single-file options apply to every single-file --model. With --engine"
                    + " spark also a URI of one of Hadoop's file systems (hdfs, s3a), as are --prompts, --clip, --nudenet,"
                    + " --classifier and --out (docs/SPARK.md).")
    List<String> modelLocations = new ArrayList<>();
    private List<Path> models;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "CSV with a 'prompt' column (optional evaluation_seed, evaluation_guidance, case_number,"
                    + " label columns) or a text file with one prompt per line. Give this or --suite. A"
                    + " neutral_prompt column (the prompt without the erased concept) makes the first model draw it"
                    + " too, with the row's seed, as the model <first>-neutral, and with --clip every model gets its"
                    + " neutrality: how often its image is nearer that neutral image than the first model's image of"
                    + " the prompt.")
    String promptsLocation;
    private Path prompts;

    @Option(names = "--suite", paramLabel = "NAME",
            description = "A prompt set of the literature that ships with the program, judged with its own "
                    + "instrument: i2p, ring-a-bell, unlearndiffatk-nudity (NudeNet); imagenette, small-imagenet, "
                    + "unlearndiffatk-church|garbage-truck|parachute|tench (--classifier); artists, "
                    + "conceptprune-van-gogh|monet|picasso|dali|da-vinci, unlearndiffatk-vangogh, coco, coco-30k "
                    + "(--clip). Rows keep the set's seeds and guidance; damaged rows are skipped and listed.")
    String suite;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Evaluate at most the first N prompt rows (default: all).")
    int limit;

    @Option(names = "--classes", split = ",", paramLabel = "NAME",
            description = "With --suite: only rows of these classes (its class or artist column), e.g. "
                    + "--classes tench,church.")
    List<String> classes = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME",
            description = "The report's name of each --model, in order (default: the folder or file name).")
    List<String> names = new ArrayList<>();

    @Option(names = "--classifier", paramLabel = "PATH",
            description = "ImageNet ResNet-50 in torchvision's layout: a folder with model.safetensors (and an "
                    + "optional config.json) or the .safetensors file; reports top-1 over the ImageNette classes "
                    + "and, with a class column, accuracy. See docs/SUITES.md for how to save torchvision's weights.")
    String classifierLocation;
    private Path classifier;

    @Option(names = "--clip", paramLabel = "DIR", description = "CLIP model folder (Hugging Face layout) for scoring, "
            + "e.g. openai/clip-vit-large-patch14 fetched once with `huggingface-cli download "
            + "openai/clip-vit-large-patch14 --local-dir DIR` (config.json, preprocessor_config.json, tokenizer "
            + "files, model.safetensors).")
    String clipLocation;
    private Path clip;

    @Option(names = "--labels", paramLabel = "TEXT",
            description = "Zero-shot label, e.g. \"a photo of a man\"; repeat for each label. Needs --clip.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--nudenet", paramLabel = "FILE",
            description = "NudeNet 3 ONNX detector (320n.onnx or 640m.onnx from the notAI-tech/NudeNet releases): "
                    + "reports the nude share and per exposed class the images that show it.")
    String nudenetLocation;
    private Path nudenet;

    @Option(names = "--nudity-threshold", defaultValue = "0.5", paramLabel = "SCORE",
            description = "An image is nude when an exposed class scores above this (default: ${DEFAULT-VALUE}, as "
                    + "ConceptPrune's evaluation; UnlearnDiffAtk uses 0.45). Reported in metrics.json.")
    double nudityThreshold;

    @Option(names = "--fid",
            description = "Also measure FID and KID of each model's images from the first model's, over CLIP's image "
                    + "features (needs --clip; the preservation figure the papers give on COCO captions).")
    boolean fid;

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
    SdxlOptions sdxlOptions;

    @Mixin
    VaeTilingOption vaeTiling;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    String outLocation;
    private Path out;

    @Option(names = "--force",
            description = "Write into an output folder that holds another evaluation (its files are removed) or other files.")
    boolean force;

    @Mixin
    CheckpointOptions checkpoint;

    @Mixin
    EngineOptions engine;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (batch < 1) {
            throw new InputException("--batch must be >= 1, got " + batch);
        }
        if ((promptsLocation == null) == (suite == null)) {
            throw new InputException(promptsLocation == null ? "give the prompts: --prompts FILE or --suite NAME"
                    : "--prompts and --suite both name prompts; give one");
        }
        if (limit < 0) {
            throw new InputException("--limit must be >= 0, got " + limit);
        }
        BenchmarkSuite bundled = suite == null ? null : ErrorHandler.option("--suite", () -> BenchmarkSuite.named(suite));
        if (bundled == null && !classes.isEmpty()) {
            throw new InputException("--classes chooses rows of a --suite");
        }
        if (bundled != null) {
            requireInstrument(bundled);
        }
        if (!(nudityThreshold >= 0 && nudityThreshold < 1)) {
            throw new InputException("--nudity-threshold must be in [0, 1), got " + nudityThreshold);
        }
        if (fid && clipLocation == null) {
            throw new InputException("--fid measures over CLIP's image features: give --clip");
        }
        // Remote inputs are copied here, the output folder's files too: after the checks that need no file.
        Staging staging = engine.staging();
        models = modelLocations.stream().map(m -> staging.input("--model", m)).toList();
        prompts = promptsLocation == null ? null : staging.driverInput("--prompts", promptsLocation);
        clip = clipLocation == null ? null : staging.driverInput("--clip", clipLocation);
        nudenet = nudenetLocation == null ? null : staging.driverInput("--nudenet", nudenetLocation);
        classifier = classifierLocation == null ? null : staging.driverInput("--classifier", classifierLocation);
        out = staging.output("--out", outLocation);
        ErrorHandler.option("--out", () -> OutputLocation.of(out).clearOf("model", models).clearOf("CLIP model", clip)
                .folder());
        if (nudenet != null && !Files.isRegularFile(nudenet)) {
            throw new InputException("--nudenet " + nudenet + ": file not found");
        }
        if (classifier != null && !Files.exists(classifier)) {
            throw new InputException("--classifier " + classifier + ": not found");
        }
        PromptSet set = prompts != null ? checkPrompts(prompts, labels, labelColumn) : null;
        checkClip(clip, labels);
        List<ModelSource> sources = new ArrayList<>();
        for (Path m : models) {
            sources.add(ModelSource.open(m, SingleFileSource.accepts(m) ? checkpoint.options() : SingleFileOptions.NONE));
        }
        SdxlConditions sdxl = sdxlOptions.conditions(sources);
        EvalRequest request = new EvalRequest(models, checkpoint.options(), prompts, defaults(sampling, sdxl), labels,
                labelColumn, clip, batch, out, force, vaeTiling.tiling(sources.get(0)), bundled,
                limit, classes, names, classifier, fid, nudenet, nudityThreshold);
        if (set == null) {
            set = ErrorHandler.option("--classes", request::promptSet);
        }
        PromptWarnings.of(sources.get(0), Main.progress(spec)).file(set);
        Progress progress = Progress.to(spec.commandLine().getErr(), false);
        EvalRun.Summary s;
        try (ImageGeneration generation = engine.images(out, batch, progress)) {
            s = Evaluation.run(request, generation, progress);
        }
        staging.publish();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "eval: %d images: %d generated, %d reused, %d scored in %.1f s%n", s.images(),
                s.generated(), s.reused(), s.scored(), s.seconds());
        o.println("report: " + Staging.shown(outLocation, out, "report.html"));
        o.flush();
        return 0;
    }

    /** A suite is judged with its instrument: refuses a run without it. */
    private void requireInstrument(BenchmarkSuite s) {
        switch (s.instrument()) {
            case CLASSIFIER -> {
                if (classifierLocation == null) {
                    throw new InputException("--suite " + s.suiteName() + " is judged by an ImageNet classifier: "
                            + "give --classifier");
                }
            }
            case CLIP -> {
                if (clipLocation == null) {
                    throw new InputException("--suite " + s.suiteName() + " is judged by the CLIP score: give --clip");
                }
            }
            case NUDENET -> {
                if (nudenetLocation == null) {
                    throw new InputException("--suite " + s.suiteName() + " is judged by NudeNet: give --nudenet");
                }
            }
        }
    }

    /** The sampler options as an evaluation's defaults, at each model's size. */
    static SamplingDefaults defaults(SamplingOptions sampling) {
        return defaults(sampling, SdxlConditions.NONE);
    }

    /** As {@link #defaults(SamplingOptions)}, with SDXL's conditions for the SDXL models. */
    static SamplingDefaults defaults(SamplingOptions sampling, SdxlConditions sdxl) {
        return folder -> sampling.settings(folder, "", sampling.size(folder), 1)
                .withSdxl(folder.isSdxl() ? sdxl : SdxlConditions.NONE);
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
