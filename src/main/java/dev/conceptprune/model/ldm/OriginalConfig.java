package dev.conceptprune.model.ldm;

import dev.conceptprune.io.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The settings of an original LDM training config ({@code v2-inference-v.yaml} and the like, the
 * {@code .yaml} next to SD 2.x files) that the weights do not reveal: what the UNet predicts, the
 * latent scale, the attention heads, the trained image size. Keys absent from the file are null,
 * and the family's conventions apply. Read with YAML's safe constructor: plain maps, lists and
 * scalars only.
 *
 * @param predictionType "epsilon" or "v_prediction" ({@code parameterization: eps | v})
 * @param scaleFactor the VAE latent scaling ({@code scale_factor})
 * @param numHeads heads per attention ({@code num_heads}), or null
 * @param numHeadChannels width of each head ({@code num_head_channels}), or null
 * @param contextDim the cross-attention width ({@code context_dim}), checked against the weights
 * @param linearProjection {@code use_linear_in_transformer}, checked against the weights
 * @param latentSize the UNet's trained latent side ({@code unet_config.params.image_size})
 */
public record OriginalConfig(Path file, String predictionType, Double scaleFactor, Integer numHeads,
                             Integer numHeadChannels, Integer contextDim, Boolean linearProjection,
                             Integer latentSize) {

    /** Reads the file; a file that is not an LDM config is a one-line error naming it. */
    public static OriginalConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": original config not found");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read the original config: " + e.getMessage());
        }
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new InputException(file + ": not valid YAML (" + firstLine(e.getMessage()) + ")");
        }
        Map<?, ?> params = map(file, map(file, root, "the top level").get("model"), "model");
        Map<?, ?> model = map(file, params.get("params"), "model.params");
        Map<?, ?> unet = map(file, map(file, model.get("unet_config"), "model.params.unet_config").get("params"),
                "model.params.unet_config.params");
        return new OriginalConfig(file, prediction(file, model.get("parameterization")),
                number(file, model, "scale_factor"), integer(file, unet, "num_heads"),
                integer(file, unet, "num_head_channels"), integer(file, unet, "context_dim"),
                bool(file, unet, "use_linear_in_transformer"), integer(file, unet, "image_size"));
    }

    private static String prediction(Path file, Object value) {
        if (value == null || "eps".equals(value)) {
            return value == null ? null : "epsilon";
        }
        if ("v".equals(value)) {
            return "v_prediction";
        }
        throw new InputException(file + ": model.params.parameterization must be eps or v, found " + value);
    }

    private static Map<?, ?> map(Path file, Object value, String where) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new InputException(file + ": " + where + " is not a mapping; not an LDM model config"
                    + " (expected model: params: unet_config: params: ...)");
        }
        return m;
    }

    private static Double number(Path file, Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() <= 0) {
            throw new InputException(file + ": " + key + " must be a positive number, found " + v);
        }
        return n.doubleValue();
    }

    /** An integer key; LDM configs write -1 for "not set" (e.g. num_heads beside num_head_channels). */
    private static Integer integer(Path file, Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null || Integer.valueOf(-1).equals(v)) {
            return null;
        }
        if (!(v instanceof Integer i) || i < 1) {
            throw new InputException(file + ": " + key + " must be a positive integer, found " + v);
        }
        return i;
    }

    private static Boolean bool(Path file, Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw new InputException(file + ": " + key + " must be true or false, found " + v);
        }
        return (Boolean) v;
    }

    private static String firstLine(String message) {
        return message == null ? "parse error" : message.lines().findFirst().orElse("parse error").trim();
    }
}
