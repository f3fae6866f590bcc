package dev.conceptprune.eval;

import dev.conceptprune.io.InputException;
import dev.conceptprune.clip.ClipScorer;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import dev.conceptprune.pipeline.DecodeTiling;
import dev.conceptprune.pipeline.GenerationSettings;
import dev.conceptprune.pipeline.SamplingMemory;
import dev.conceptprune.vae.VaeConfig;
import dev.conceptprune.vae.VaeTiling;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.model.SingleFileSource;
import dev.conceptprune.runtime.ConvAlgorithm;
import dev.conceptprune.runtime.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request into an {@link EvalPlan}, checking everything that can be checked without
 * loading weights (files, every model's configs, weight headers and memory at its size, sampler
 * options, labels), so that bad input fails in seconds, before the first image.
 */
public final class EvalPlanner {
    private EvalPlanner() {
    }

    /** The plan of a request; also checks its CLIP folder. */
    public static EvalPlan plan(EvalRequest r) {
        String labelColumn = r.labelColumn() != null ? r.labelColumn()
                : r.suite() != null && r.classifier() != null ? r.suite().classColumn() : null;
        EvalPlan plan = plan(r.models(), r.names(), r.modelOptions(), r.promptSet(), r.sampling(), r.labels(),
                labelColumn, r.batch(), r.tiling());
        checkClip(r.clip(), r.labels());
        if (r.classifier() != null) {
            ImageNetteDetector.check(r.classifier());
        }
        if (r.nudenet() != null) {
            NudeNetDetector.check(r.nudenet());
        }
        return plan;
    }

    /**
     * The plan for models and a prompt file. Every model is checked as a run of {@code batch} prompts
     * would use it (configs, weight headers, scheduler, memory at its size), and the prompt file is
     * read, before the first image of any model. Each model's decode tiles (as {@code tiling} asks, or as
     * its memory plan chooses) are fixed here and are part of its images' keys.
     */
    public static EvalPlan plan(List<Path> models, SingleFileOptions options, Path prompts, SamplingDefaults sampling, List<String> labels,
                                String labelColumn, int batch, DecodeTiling tiling) {
        return plan(models, List.of(), options, PromptSet.read(prompts), sampling, labels, labelColumn, batch, tiling);
    }

    /**
     * As {@link #plan(List, SingleFileOptions, Path, SamplingDefaults, List, String, int, DecodeTiling)} for
     * prompt rows already read, with the models named {@code names} (one each; empty: by folder name).
     */
    public static EvalPlan plan(List<Path> models, List<String> names, SingleFileOptions options, PromptSet promptSet,
                                SamplingDefaults sampling, List<String> labels, String labelColumn, int batch,
                                DecodeTiling tiling) {
        if (batch < 1) {
            throw new InputException("prompts per UNet batch must be >= 1, got " + batch);
        }
        if (!options.isDefault() && models.stream().noneMatch(SingleFileSource::accepts)) {
            throw new InputException("single-file options are given, but no model is a single-file checkpoint");
        }
        List<String> modelNames = names.isEmpty() ? EvalPlan.uniqueNames(models) : EvalPlan.checkNames(names, models);
        List<EvalModel> evalModels = new ArrayList<>();
        GenerationSettings defaults = null;
        // The command's device and dtype; the plan fixes them so that every writer computes alike.
        DataType compute = Runtime.selected().dtype();
        String device = Runtime.name(Runtime.selected().device());
        ConvAlgorithm conv = Runtime.convAlgorithm();
        for (int i = 0; i < models.size(); i++) {
            Path path = models.get(i);
            SingleFileOptions own = SingleFileSource.accepts(path) ? options : SingleFileOptions.NONE;
            ModelSource folder = ModelSource.open(path, own);
            if (folder instanceof DiffusersFolder f) {
                for (Component component : List.of(Component.UNET, Component.VAE, Component.TEXT_ENCODER)) {
                    f.weightFiles(component);
                }
                f.componentDir(Component.TOKENIZER);
                f.configPath(Component.SCHEDULER);
            }
            // Checks the sampler options at this model's size; the plan then sets the size per model.
            defaults = sampling.at(folder);
            // Rows may bring their own guidance, so every batch is counted with its unconditional rows,
            // and their own size, so the largest one is checked.
            int[] rowMax = EvalPlan.largestRowSize(promptSet);
            if (rowMax != null) {
                requireRowSizesFit(promptSet, folder);
            }
            SamplingMemory.Estimate memory = StableDiffusionPipeline.check(folder, defaults.scheduler(),
                    rowMax == null ? defaults.height() : Math.max(defaults.height(), rowMax[0]),
                    rowMax == null ? defaults.width() : Math.max(defaults.width(), rowMax[1]), 2 * batch, batch, tiling);
            evalModels.add(new EvalModel(modelNames.get(i), path.toAbsolutePath().normalize(),
                    computeKey(ContentKeys.ofModel(folder, own), memory.tiling(), compute, device, conv),
                    defaults.height(), defaults.width(), own, DecodeTiling.exactly(memory.tiling()), defaults, compute,
                    device));
        }
        return EvalPlan.of(evalModels, promptSet, defaults, labels, labelColumn);
    }

    /** Refuses row sizes the model's VAE cannot draw (a side that is not a multiple of its factor), naming the line. */
    private static void requireRowSizesFit(PromptSet prompts, ModelSource model) {
        int f = VaeConfig.from(model.config(Component.VAE)).scaleFactor();
        for (PromptRow r : prompts.rows()) {
            int[] size;
            try {
                size = EvalPlan.rowSize(r);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (size != null && (size[0] % f != 0 || size[1] % f != 0)) {
                throw new InputException(prompts.file() + ": line " + r.line() + ": size " + size[0] + "x" + size[1]
                        + " (" + EvalPlan.HEIGHT_COLUMN + ", " + EvalPlan.WIDTH_COLUMN + ") is not a multiple of the "
                        + "VAE factor " + f + " of " + model.location());
            }
        }
    }

    /**
     * The key a plan gives a model with these files, options, decode, compute dtype, device and convolution
     * algorithm: what another process (a Spark executor) computes to check that it sees the same files as the
     * planner did.
     */
    public static String modelKey(ModelSource model, SingleFileOptions options, DecodeTiling decode,
                                  DataType compute, String device, ConvAlgorithm conv) {
        return computeKey(ContentKeys.ofModel(model, options),
                decode.tiled() ? decode.tiles(VaeConfig.from(model.config(Component.VAE))) : null, compute, device,
                conv);
    }

    /**
     * A model decoded whole in float32 on the CPU with the default convolution algorithm keeps its files' key;
     * tiles, another compute dtype, another device and another float32 convolution algorithm on the CPU change
     * the pixels, so they join the key.
     */
    private static String computeKey(String modelKey, VaeTiling tiles, DataType compute, String device,
                                     ConvAlgorithm conv) {
        boolean reference = compute == DataType.FLOAT32 && "cpu".equals(device);
        boolean otherConv = reference && !conv.isDefault();
        if (tiles == null && reference && !otherConv) {
            return modelKey;
        }
        JsonArray parts = new JsonArray();
        parts.add(modelKey);
        if (tiles != null) {
            parts.add("vae_tiles");
            parts.add(tiles.tileSample());
        }
        if (compute != DataType.FLOAT32) {
            parts.add("compute_dtype");
            parts.add(compute.toString());
        }
        if (!"cpu".equals(device)) {
            parts.add("device");
            parts.add(device);
        }
        if (otherConv) {
            parts.add("conv_algorithm");
            parts.add(conv.id());
        }
        return ContentKeys.of(parts);
    }

    /** Checks a CLIP folder (and that labels come with one) before any heavy work. */
    public static void checkClip(Path clip, List<String> labels) {
        if (clip != null) {
            if (!Files.isDirectory(clip)) {
                throw new InputException("CLIP model " + clip + ": folder not found");
            }
            ClipScorer.check(clip);
        } else if (!labels.isEmpty()) {
            throw new InputException("zero-shot labels need a CLIP model to classify the images");
        }
    }
}
