package dev.conceptprune.cli;

import dev.conceptprune.model.Component;
import dev.conceptprune.io.DType;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.TensorStore;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.InputException;
import dev.conceptprune.model.SingleFileSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.model.ldm.LdmFamily;
import dev.conceptprune.model.ldm.LdmMapping;
import dev.conceptprune.model.ldm.TensorMapping;
import dev.conceptprune.model.ldm.UnusedTensor;
import dev.conceptprune.model.ldm.WeightSet;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Collectors;
import dev.conceptprune.pipeline.StableDiffusionPipeline;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Lists what a model folder or a safetensors file holds, validating every header on the way. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show what a model folder, checkpoint or safetensors file holds.",
            "",
            "For a diffusers folder: components, weight files, parameter counts. For a single-file checkpoint "
                + "(.safetensors or .ckpt in the LDM layout): the detected family, the configs inferred from its "
                + "tensors, prediction type, dtypes, whether EMA weights are present, and the tensors it does not "
                + "use. Any other safetensors file: its tensors and metadata. Every config and header is "
                + "validated; a corrupt file is reported in one line naming the file and the rule it breaks.",
            ""})
public final class InspectCommand implements Callable<Integer> {
    private static final int UNEXPLAINED_SHOWN = 20;
    /** The config keys that say what was inferred from a single file's tensors and conventions. */
    private static final Map<Component, List<String>> INFERRED_KEYS = Map.of(
            Component.UNET, List.of("sample_size", "in_channels", "block_out_channels", "layers_per_block",
                    "down_block_types", "transformer_layers_per_block", "attention_head_dim", "cross_attention_dim",
                    "use_linear_projection", "upcast_attention", "addition_embed_type", "addition_time_embed_dim",
                    "projection_class_embeddings_input_dim"),
            Component.VAE, List.of("block_out_channels", "layers_per_block", "latent_channels", "scaling_factor"),
            Component.TEXT_ENCODER, List.of("hidden_size", "num_hidden_layers", "num_attention_heads",
                    "intermediate_size", "hidden_act", "max_position_embeddings"),
            Component.TEXT_ENCODER_2, List.of("hidden_size", "num_hidden_layers", "num_attention_heads",
                    "intermediate_size", "hidden_act", "max_position_embeddings", "projection_dim"));

    @Parameters(paramLabel = "PATH", description = "A diffusers model folder, a single-file checkpoint or a .safetensors file.")
    Path path;

    @Option(names = "--tensors", description = "List every tensor: of a folder's weight files, a checkpoint's"
            + " diffusers names with the stored names they come from (always listed for any other safetensors file).")
    boolean tensors;

    @Mixin
    CheckpointOptions checkpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean checkpointFile = Files.isRegularFile(path) && SingleFileSource.accepts(path) && isCheckpoint();
        if (!checkpointFile && !checkpoint.options().isDefault()) {
            throw new InputException(path + " is not a single-file checkpoint; --config, --original-config,"
                    + " --prediction-type and --ema apply to single-file checkpoints only");
        }
        if (Files.isDirectory(path)) {
            inspectFolder(out);
        } else if (checkpointFile) {
            inspectCheckpoint(out, SingleFileSource.open(path, checkpoint.options()));
        } else {
            try (SafetensorsFile f = SafetensorsFile.open(path)) {
                out.printf("%s%n", path);
                printFile(out, f, true);
            }
        }
        out.flush();
        return 0;
    }

    /** A .ckpt is always read as a checkpoint; a .safetensors file when it has a UNet under the LDM prefix. */
    private boolean isCheckpoint() {
        if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".ckpt")) {
            return true;
        }
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            return f.tensors().keySet().stream().anyMatch(n -> n.startsWith(LdmFamily.UNET_PREFIX));
        }
    }

    private void inspectCheckpoint(PrintWriter out, SingleFileSource source) {
        LdmMapping mapping = source.mapping();
        Map<DType, Long> perType = new EnumMap<>(DType.class);
        int count = 0;
        try (TensorSource stored = source.openStored()) {
            for (String name : stored.names()) {
                TensorInfo t = stored.info(name);
                perType.merge(t.dtype(), t.elementCount(), Long::sum);
                count++;
            }
        }
        out.printf("%s: %s single-file checkpoint (LDM layout), %d tensors %s%n", path, source.family().label(),
                count, perType);
        out.printf("  settings the weights do not store: from %s%n", source.settingsSource());
        out.printf("  prediction type: %s%n", source.predictionType());
        out.printf("  EMA weights: %s; using the %s weights%n", mapping.hasEma() ? "present" : "none",
                mapping.weights() == WeightSet.EMA ? "EMA" : "non-EMA");
        out.printf("  image size: %d%n", source.imageSize());
        for (Component c : source.family().components()) {
            out.printf("%n[%s] %,d parameters from %d stored tensors; inferred config:%n", c.folderName(),
                    parameters(source, c), mapping.component(c).storedNames().size());
            printConfig(out, source.config(c), INFERRED_KEYS.get(c));
            if (tensors) {
                for (TensorMapping t : mapping.component(c).tensors()) {
                    out.printf("    %-72s <- %s%n", t.diffusersName(), t.storedName());
                }
            }
        }
        out.printf("%n[scheduler] inferred config:%n");
        printConfig(out, source.config(Component.SCHEDULER), List.of("_class_name", "prediction_type",
                "beta_schedule", "num_train_timesteps"));
        Map<String, Long> unused = new TreeMap<>(mapping.unused().stream()
                .collect(Collectors.groupingBy(UnusedTensor::reason, Collectors.counting())));
        out.printf("%nnot used: %s%n", unused.isEmpty() ? "none" : unused);
        List<UnusedTensor> unexplained = mapping.unexplained();
        for (UnusedTensor u : unexplained.subList(0, Math.min(unexplained.size(), UNEXPLAINED_SHOWN))) {
            out.printf("  not recognised: %s%n", u.storedName());
        }
        if (unexplained.size() > UNEXPLAINED_SHOWN) {
            out.printf("  ... and %d more not recognised%n", unexplained.size() - UNEXPLAINED_SHOWN);
        }
    }

    private static long parameters(SingleFileSource source, Component c) {
        try (TensorSource t = source.tensors(c)) {
            return t.parameterCount();
        }
    }

    private static void printConfig(PrintWriter out, Config config, List<String> keys) {
        for (String key : keys) {
            if (config.has(key)) {
                out.printf("    %-28s %s%n", key, config.json().get(key));
            }
        }
    }

    private void inspectFolder(PrintWriter out) {
        DiffusersFolder folder = DiffusersFolder.open(path);
        StableDiffusionPipeline.checkConfigs(folder);
        out.printf("%s: %s%n", path, folder.index().getString("_class_name", "(no _class_name)"));
        long total = 0;
        for (Map.Entry<String, String> c : folder.components().entrySet()) {
            String name = c.getKey();
            out.printf("%n[%s] %s  config: %s%n", name, c.getValue(), folder.root().relativize(folder.configPath(name)));
            if (name.equals(Component.SCHEDULER.folderName()) || name.equals(Component.TOKENIZER.folderName())
                    || name.equals(Component.TOKENIZER_2.folderName()) || name.equals("feature_extractor")) {
                continue;
            }
            try (TensorStore store = folder.weights(name)) {
                for (SafetensorsFile f : store.files()) {
                    out.printf("  weights: %s%n", folder.root().relativize(f.path()));
                    printFile(out, f, tensors);
                }
                total += store.parameterCount();
            }
        }
        out.printf("%ntotal parameters: %,d%n", total);
    }

    private static void printFile(PrintWriter out, SafetensorsFile f, boolean listTensors) {
        Map<DType, Long> perType = new EnumMap<>(DType.class);
        long params = 0;
        for (TensorInfo t : f.tensors().values()) {
            perType.merge(t.dtype(), t.elementCount(), Long::sum);
            params += t.elementCount();
            if (listTensors) {
                out.printf("    %-72s %-5s %s%n", t.name(), t.dtype(), Arrays.toString(t.shape()));
            }
        }
        out.printf("    %d tensors, %,d parameters %s%n", f.tensors().size(), params, perType);
        if (!f.metadata().isEmpty()) {
            out.printf("    metadata: %s%n", f.metadata());
        }
    }
}
