package dev.conceptprune.eval;

import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.pipeline.DecodeTiling;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything an evaluation is asked to do.
 *
 * @param models      diffusers folders or single-file checkpoints; the first is the baseline
 * @param modelOptions how to complete the single-file checkpoints among them
 * @param prompts     a prompt CSV or a text file with one prompt per line
 * @param sampling    the sampler settings for rows without their own seed or guidance
 * @param labels      zero-shot labels, possibly empty (they need {@code clip})
 * @param labelColumn a prompt-file column holding each row's expected label, or null
 * @param clip        a CLIP folder for the CLIP score and zero-shot detection, or null for no scoring
 * @param batch       prompts per UNet batch
 * @param out         the output folder
 * @param force       replace another evaluation or other files in {@code out}
 * @param tiling      how the VAE decode is tiled (the plan keeps each model's choice)
 */
public record EvalRequest(List<Path> models, SingleFileOptions modelOptions, Path prompts, SamplingDefaults sampling, List<String> labels,
                          String labelColumn, Path clip, int batch, Path out, boolean force,
                          DecodeTiling tiling) {
    public EvalRequest {
        models = List.copyOf(models);
        if (tiling == null) {
            tiling = DecodeTiling.AUTO;
        }
        labels = List.copyOf(labels);
    }
}
