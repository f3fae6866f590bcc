package dev.conceptprune.cli;

import dev.conceptprune.io.InputException;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.pipeline.SdxlConditions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** SDXL's second prompts and size conditions, for every command that samples (generate, erase). */
public final class SdxlOptions {
    private static final Pattern PAIR = Pattern.compile("\\s*(\\d{1,6})\\s*,\\s*(\\d{1,6})\\s*");

    @Option(names = "--prompt-2", paramLabel = "TEXT",
            description = "SDXL: the prompt for the second text encoder (default: the prompt).")
    String prompt2;

    @Option(names = "--negative-prompt-2", paramLabel = "TEXT",
            description = "SDXL: the negative prompt for the second text encoder (default: --negative-prompt).")
    String negativePrompt2;

    @Option(names = "--original-size", paramLabel = "H,W",
            description = "SDXL: the original size the image is conditioned on (default: the image size).")
    String originalSize;

    @Option(names = "--crop-top-left", paramLabel = "TOP,LEFT",
            description = "SDXL: the crop's top-left corner the image is conditioned on (default: 0,0).")
    String cropTopLeft;

    @Option(names = "--target-size", paramLabel = "H,W",
            description = "SDXL: the target size the image is conditioned on (default: the image size).")
    String targetSize;

    /** The conditions given, parsed; refused on a model that is not SDXL. */
    SdxlConditions conditions(ModelSource model) {
        return conditions(List.of(model));
    }

    /** The conditions given, parsed; refused unless one of {@code models} is SDXL (they apply to those). */
    SdxlConditions conditions(List<ModelSource> models) {
        SdxlConditions sdxl = new SdxlConditions(prompt2, negativePrompt2,
                pair("--original-size", originalSize, 1), pair("--crop-top-left", cropTopLeft, 0),
                pair("--target-size", targetSize, 1));
        if (!sdxl.isDefault() && models.stream().noneMatch(ModelSource::isSdxl)) {
            ModelSource model = models.get(0);
            List<String> given = given();
            throw new InputException(String.join(", ", given) + (given.size() == 1 ? " applies" : " apply")
                    + " only to SDXL models; " + model.location() + " is not one (no text_encoder_2)");
        }
        return sdxl;
    }

    /** True when a second prompt is given (its tokenizer's warnings apply). */
    boolean hasSecondPrompts() {
        return prompt2 != null || negativePrompt2 != null;
    }

    private List<String> given() {
        List<String> given = new ArrayList<>();
        String[] names = {"--prompt-2", "--negative-prompt-2", "--original-size", "--crop-top-left", "--target-size"};
        Object[] values = {prompt2, negativePrompt2, originalSize, cropTopLeft, targetSize};
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null) {
                given.add(names[i]);
            }
        }
        return given;
    }

    /** Parses "A,B" into two integers >= {@code min}; null when the option is absent. */
    private static int[] pair(String option, String value, int min) {
        if (value == null) {
            return null;
        }
        Matcher m = PAIR.matcher(value);
        if (m.matches()) {
            int[] v = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
            if (v[0] >= min && v[1] >= min) {
                return v;
            }
        }
        throw new InputException(option + " must be two integers >= " + min + " separated by a comma, e.g. "
                + (min == 0 ? "0,0" : "1024,1024") + "; got '" + value + "'");
    }
}
