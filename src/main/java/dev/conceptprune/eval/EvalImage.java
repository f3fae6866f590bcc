package dev.conceptprune.eval;

import com.google.gson.JsonArray;
import dev.conceptprune.pipeline.GenerationSettings;

/**
 * One image of an evaluation: a model, a prompt row and the settings that decide its pixels.
 *
 * @param index    the row's position in the prompt set; names the image file
 * @param settings prompt, negative prompt, sampler, seed and size for this image
 */
public record EvalImage(EvalModel model, int index, PromptRow row, GenerationSettings settings) {

    /** Path of the PNG relative to the output folder, with forward slashes as the report links it. */
    public String file() {
        return "images/" + model.name() + "/" + index + ".png";
    }

    /**
     * Content key of the pixels: equal keys mean the same model files and the same generation
     * settings, so an image stored under this key need not be generated again, by any writer.
     */
    public String key() {
        JsonArray a = new JsonArray();
        a.add(model.key());
        a.add(settings.prompt());
        a.add(settings.negativePrompt());
        a.add(settings.seed());
        a.add(settings.guidance());
        a.add(settings.steps());
        a.add(settings.scheduler());
        a.add(settings.height());
        a.add(settings.width());
        if (!settings.sdxl().isDefault()) {
            a.add(settings.sdxl().key());
        }
        return ContentKeys.of(a);
    }
}
