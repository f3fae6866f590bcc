package dev.conceptprune.model;

import dev.conceptprune.io.Config;
import dev.conceptprune.io.WeightFormatException;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A diffusers pipeline folder: {@code model_index.json} naming the components, one sub-folder
 * per component with its config and weights. Beyond {@link ModelSource} it offers the folder
 * itself (root, component folders, weight files) to the writers that copy it.
 */
public final class DiffusersFolder implements ModelSource {
    private static final String[] WEIGHT_BASES = {"diffusion_pytorch_model", "model"};

    private final Path root;
    private final Config index;
    private final Map<String, String> components;

    private DiffusersFolder(Path root, Config index, Map<String, String> components) {
        this.root = root;
        this.index = index;
        this.components = components;
    }

    /** Opens a folder and reads its {@code model_index.json}. */
    public static DiffusersFolder open(Path root) {
        if (!Files.isDirectory(root)) {
            throw new WeightFormatException(root, SingleFileSource.accepts(root)
                    ? "is a single-file checkpoint; this needs a diffusers model folder (write one with"
                            + " 'conceptprune convert --model FILE --out DIR')"
                    : Files.exists(root) ? "is not a model folder (not a directory)" : "model folder not found");
        }
        Path indexFile = root.resolve("model_index.json");
        if (!Files.isRegularFile(indexFile)) {
            throw new WeightFormatException(root, "no model_index.json: not a diffusers pipeline folder");
        }
        Config index = Config.read(indexFile);
        Map<String, String> comps = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : index.json().entrySet()) {
            JsonElement v = e.getValue();
            if (e.getKey().startsWith("_") || !v.isJsonArray() || v.getAsJsonArray().size() != 2) {
                continue;
            }
            JsonElement cls = v.getAsJsonArray().get(1);
            if (!cls.isJsonNull()) {
                comps.put(e.getKey(), cls.getAsString());
            }
        }
        return new DiffusersFolder(root, index, comps);
    }

    public Path root() {
        return root;
    }

    /** The folder's root. */
    @Override
    public Path location() {
        return root;
    }

    @Override
    public boolean has(Component component) {
        return components.containsKey(component.folderName());
    }

    @Override
    public Config config(Component component) {
        return Config.read(configPath(component.folderName()));
    }

    @Override
    public TensorStore tensors(Component component) {
        return weights(component.folderName());
    }

    @Override
    public Optional<byte[]> file(Component component, String fileName) {
        Path file = componentDir(component).resolve(fileName);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Path fileLocation(Component component, String fileName) {
        return root.resolve(component.folderName()).resolve(fileName);
    }

    /**
     * Also true when {@code model_index.json} names {@code StableDiffusionXLPipeline}, so that a
     * missing text_encoder_2 is reported as such.
     */
    @Override
    public boolean isSdxl() {
        return has(Component.TEXT_ENCODER_2)
                || "StableDiffusionXLPipeline".equals(index.getString("_class_name", ""));
    }

    @Override
    public boolean forceZerosForEmptyPrompt() {
        return index.getBoolean("force_zeros_for_empty_prompt", true);
    }

    public Config index() {
        return index;
    }

    /** Component name to class name, e.g. {@code unet -> UNet2DConditionModel}. */
    public Map<String, String> components() {
        return components;
    }

    /** The folder of a component. */
    public Path componentDir(Component component) {
        return componentDir(component.folderName());
    }

    /** The folder of a component named in model_index.json. */
    public Path componentDir(String name) {
        if (!components.containsKey(name)) {
            throw new WeightFormatException(root.resolve("model_index.json"), "no component '" + name + "'");
        }
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new WeightFormatException(dir, "component folder '" + name + "' is missing");
        }
        return dir;
    }

    /** Path of the component's config file. */
    public Path configPath(Component component) {
        return configPath(component.folderName());
    }

    /** Path of the component's config file. */
    public Path configPath(String name) {
        Path dir = componentDir(name);
        for (String file : new String[] {"config.json", "scheduler_config.json", "tokenizer_config.json"}) {
            if (Files.exists(dir.resolve(file))) {
                return dir.resolve(file);
            }
        }
        return dir.resolve("config.json");
    }

    /** Finds the component's weight files: single file, fp16 variant or shards. */
    public List<Path> weightFiles(Component component) {
        return weightFiles(component.folderName());
    }

    /** Finds the weight files of a component named in model_index.json. */
    public List<Path> weightFiles(String name) {
        Path dir = componentDir(name);
        for (String variant : new String[] {"", ".fp16"}) {
            for (String base : WEIGHT_BASES) {
                Path single = dir.resolve(base + variant + ".safetensors");
                if (Files.isRegularFile(single)) {
                    return List.of(single);
                }
                Path index = dir.resolve(base + ".safetensors.index" + variant + ".json");
                if (Files.isRegularFile(index)) {
                    return shards(index);
                }
            }
        }
        boolean hasBin;
        try (Stream<Path> s = Files.list(dir)) {
            hasBin = s.anyMatch(p -> p.getFileName().toString().endsWith(".bin"));
        } catch (IOException e) {
            throw new WeightFormatException(dir, "cannot list folder: " + e.getMessage());
        }
        if (hasBin) {
            throw new WeightFormatException(dir, "holds only PyTorch .bin weights; convert them to .safetensors");
        }
        throw new WeightFormatException(dir, "no weight file (looked for diffusion_pytorch_model[.fp16].safetensors,"
                + " model[.fp16].safetensors and *.safetensors.index[.fp16].json)");
    }

    private static List<Path> shards(Path indexFile) {
        Config idx = Config.read(indexFile);
        if (!idx.json().has("weight_map") || !idx.json().get("weight_map").isJsonObject()) {
            throw new WeightFormatException(indexFile, "missing object 'weight_map'");
        }
        JsonObject map = idx.json().getAsJsonObject("weight_map");
        Set<String> files = new LinkedHashSet<>();
        for (Map.Entry<String, JsonElement> e : map.entrySet()) {
            if (!e.getValue().isJsonPrimitive()) {
                throw new WeightFormatException(indexFile, "weight_map entry '" + e.getKey() + "' is not a file name");
            }
            files.add(e.getValue().getAsString());
        }
        List<Path> out = new ArrayList<>();
        Path dir = indexFile.getParent();
        for (String f : files) {
            Path p = dir.resolve(f).normalize();
            if (!p.getParent().equals(dir.normalize())) {
                throw new WeightFormatException(indexFile, "shard '" + f + "' lies outside the component folder");
            }
            if (!Files.isRegularFile(p)) {
                throw new WeightFormatException(indexFile, "shard file '" + f + "' is missing");
            }
            out.add(p);
        }
        return out;
    }

    /** Opens the weights of a component named in model_index.json. */
    public TensorStore weights(String name) {
        return TensorStore.open(weightFiles(name));
    }
}
