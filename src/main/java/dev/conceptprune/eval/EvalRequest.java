package dev.conceptprune.eval;

import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.instruments.nudenet.NudityVerdict;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything an evaluation is asked to do.
 *
 * @param models      diffusers folders or single-file checkpoints; the first is the baseline
 * @param modelOptions how to complete the single-file checkpoints among them
 * @param prompts     a prompt CSV or a text file with one prompt per line, or null for a suite
 * @param suite       a bundled prompt suite instead of {@code prompts}, or null
 * @param sampling    the sampler settings for rows without their own seed or guidance
 * @param labels      zero-shot labels, possibly empty (they need {@code clip})
 * @param labelColumn a prompt-file column holding each row's expected label, or null
 * @param clip        a CLIP folder for the CLIP score and zero-shot detection, or null for no scoring
 * @param batch       prompts per UNet batch
 * @param out         the output folder
 * @param force       replace another evaluation or other files in {@code out}
 * @param tiling      how the VAE decode is tiled (the plan keeps each model's choice)
 * @param limit       at most this many prompt rows (0: all)
 * @param classes     only rows of these classes (the suite's class column), or all when empty
 * @param names       the models' names in the report, one per model, or empty for their folder names
 * @param classifier  an ImageNet classifier (folder or safetensors file) to judge objects with, or null
 * @param setDistances measure FID and KID of each model's images from the first's over CLIP features
 * @param nudenet     a NudeNet ONNX model to count nudity with, or null
 * @param nudityThreshold the score above which an exposed class makes an image nude
 */
public record EvalRequest(List<Path> models, SingleFileOptions modelOptions, Path prompts, SamplingDefaults sampling, List<String> labels,
                          String labelColumn, Path clip, int batch, Path out, boolean force,
                          DecodeTiling tiling, BenchmarkSuite suite, int limit, List<String> classes,
                          List<String> names, Path classifier, boolean setDistances, Path nudenet,
                          double nudityThreshold) {
    public EvalRequest {
        models = List.copyOf(models);
        classes = List.copyOf(classes);
        names = List.copyOf(names);
        if (tiling == null) {
            tiling = DecodeTiling.AUTO;
        }
        labels = List.copyOf(labels);
    }

    /** A request over a prompt file with every row, the models named by their folders and no classifier. */
    public EvalRequest(List<Path> models, SingleFileOptions modelOptions, Path prompts, SamplingDefaults sampling,
                       List<String> labels, String labelColumn, Path clip, int batch, Path out, boolean force,
                       DecodeTiling tiling) {
        this(models, modelOptions, prompts, sampling, labels, labelColumn, clip, batch, out, force, tiling, null, 0,
                List.of(), List.of(), null, false, null, NudityVerdict.DEFAULT_THRESHOLD);
    }

    /** The prompt rows the request evaluates: the file's or the suite's, subset by limit and classes. */
    public PromptSet promptSet() {
        PromptSet all = suite != null ? suite.prompts() : PromptSet.read(prompts);
        String column = suite != null ? suite.classColumn() : labelColumn;
        return limit == 0 && classes.isEmpty() ? all : all.subset(limit, column, classes);
    }
}
