package dev.conceptprune.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.io.Config;
import dev.conceptprune.io.WeightFormatException;
import dev.conceptprune.model.ckpt.CkptFile;
import dev.conceptprune.model.ldm.ComponentMapping;
import dev.conceptprune.model.ldm.LdmConfigs;
import dev.conceptprune.model.ldm.LdmConverter;
import dev.conceptprune.model.ldm.LdmFamily;
import dev.conceptprune.model.ldm.LdmLayout;
import dev.conceptprune.model.ldm.LdmMapping;
import dev.conceptprune.model.ldm.OriginalConfig;
import dev.conceptprune.model.ldm.TensorMapping;
import dev.conceptprune.model.ldm.TensorShapes;
import dev.conceptprune.model.ldm.WeightSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A single-file checkpoint in the original LDM layout (what A1111, ComfyUI and civitai use; SDXL's
 * SGM layout is the same with two text encoders), as {@code .safetensors} or legacy {@code .ckpt},
 * presented as a model source: the file's tensors under diffusers names and shapes through a
 * {@link TensorView}, configs inferred from the tensor shapes and the family's conventions
 * ({@link LdmConfigs}), and the standard CLIP tokenizer that single files do not carry, from the
 * resources (SD 2's and SDXL's second tokenizer pad with {@code !}). The file is reopened for every
 * component, so the source itself holds nothing open.
 */
public final class SingleFileSource implements ModelSource {
    private static final String TOKENIZER_RESOURCE = "tokenizer/";

    private final Path file;
    private final LdmLayout layout;
    private final LdmMapping mapping;
    private final LdmConfigs configs;
    private final DiffusersFolder configFolder;

    private SingleFileSource(Path file, LdmLayout layout, LdmMapping mapping, LdmConfigs configs,
                             DiffusersFolder configFolder) {
        this.file = file;
        this.layout = layout;
        this.mapping = mapping;
        this.configs = configs;
        this.configFolder = configFolder;
    }

    /** True for the file names this source reads: {@code .safetensors} and {@code .ckpt}. */
    public static boolean accepts(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(path) && (name.endsWith(".safetensors") || name.endsWith(".ckpt"));
    }

    /**
     * Reads the file's header, recognises the family and infers every config the given options do
     * not supply; refuses files it cannot use with a message saying what the file was recognised as.
     */
    public static SingleFileSource open(Path file) {
        return open(file, SingleFileOptions.NONE);
    }

    /** As {@link #open(Path)}, with the given ways to complete what the file does not say. */
    public static SingleFileSource open(Path file, SingleFileOptions options) {
        OriginalConfig original = options.originalConfig() == null ? null : OriginalConfig.read(options.originalConfig());
        DiffusersFolder folder = options.configFolder() == null ? null : DiffusersFolder.open(options.configFolder());
        try (TensorSource stored = openStored(file)) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String name : stored.names()) {
                shapes.put(name, stored.info(name).shape());
            }
            TensorShapes all = new TensorShapes(shapes);
            LdmLayout layout = LdmLayout.infer(all);
            LdmMapping mapping = new LdmConverter(layout).convert(all, options.ema() ? WeightSet.EMA : WeightSet.NON_EMA);
            LdmConfigs configs = LdmConfigs.infer(layout, options.predictionType(), original);
            for (Component c : layout.family().components()) {
                if (folder == null || !folder.has(c)) {
                    configs.of(c);
                }
            }
            return new SingleFileSource(file, layout, mapping, configs, folder);
        }
    }

    /** The file's own tensors under their stored names; the caller closes them. */
    public TensorSource openStored() {
        return openStored(file);
    }

    private static TensorSource openStored(Path file) {
        return isCkpt(file) ? CkptFile.open(file) : TensorStore.open(file);
    }

    /** The recognised family (SD 1.x, 2.x or SDXL). */
    public LdmFamily family() {
        return layout.family();
    }

    /** The file's tensor names and how they map, for inspection. */
    public LdmMapping mapping() {
        return mapping;
    }

    /** "epsilon" or "v_prediction": what the UNet predicts, as the scheduler config says. */
    public String predictionType() {
        return config(Component.SCHEDULER).getString("prediction_type", "epsilon");
    }

    /** Where the settings the weights do not reveal come from, for {@code inspect}. */
    public String settingsSource() {
        if (configFolder != null) {
            return "configs of " + configFolder.root();
        }
        return configs.hasOriginalConfig() ? "the original config and the family's conventions"
                : "the family's conventions";
    }

    /** The {@code model_index.json} of this model as a diffusers folder. */
    public JsonObject modelIndex() {
        return configs.modelIndex();
    }

    /** True for a legacy {@code .ckpt} (pickle) file, false for {@code .safetensors}. */
    public boolean isCkpt() {
        return isCkpt(file);
    }

    private static boolean isCkpt(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".ckpt");
    }

    @Override
    public Path location() {
        return file;
    }

    @Override
    public boolean has(Component component) {
        LdmFamily family = layout.family();
        return family.components().contains(component) || family.tokenizers().contains(component)
                || component == Component.SCHEDULER;
    }

    @Override
    public Config config(Component component) {
        if (configFolder != null && configFolder.has(component)) {
            return configFolder.config(component);
        }
        Path where = Path.of(file + " (" + component.folderName() + " config inferred for " + layout.family().label()
                + ")");
        if (layout.family().components().contains(component)) {
            return new Config(where, configs.of(component));
        }
        if (component == Component.SCHEDULER) {
            return new Config(where, configs.scheduler());
        }
        if (layout.family().tokenizers().contains(component)) {
            return Config.parse(where, new String(resource(component, "tokenizer_config.json"), StandardCharsets.UTF_8));
        }
        throw new WeightFormatException(file, layout.family().label() + " single files have no "
                + component.folderName());
    }

    @Override
    public TensorSource tensors(Component component) {
        if (!layout.family().components().contains(component)) {
            throw new WeightFormatException(file, "a single " + layout.family().label() + " file holds no "
                    + component.folderName() + " weights");
        }
        ComponentMapping m = mapping.component(component);
        TensorSource stored = openStored(file);
        try {
            TensorView.Builder view = TensorView.of(stored);
            for (TensorMapping t : m.tensors()) {
                if (t.transposed()) {
                    view.transpose(t.diffusersName(), t.storedName());
                } else if (t.isSlice()) {
                    view.slice(t.diffusersName(), t.storedName(), t.elementOffset(), t.shape());
                } else if (t.isReshaped()) {
                    view.reshape(t.diffusersName(), t.storedName(), t.shape());
                } else {
                    view.rename(t.diffusersName(), t.storedName());
                }
            }
            return view.build();
        } catch (RuntimeException e) {
            stored.close();
            throw e;
        }
    }

    @Override
    public Optional<byte[]> file(Component component, String fileName) {
        if (configFolder != null && configFolder.has(component)) {
            return configFolder.file(component, fileName);
        }
        if (!layout.family().tokenizers().contains(component)) {
            return Optional.empty();
        }
        try (InputStream in = SingleFileSource.class.getResourceAsStream(TOKENIZER_RESOURCE + fileName)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(padsWithBang(component) && fileName.endsWith(".json") ? padWithBang(bytes) : bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled tokenizer file " + fileName, e);
        }
    }

    @Override
    public Path fileLocation(Component component, String fileName) {
        if (configFolder != null && configFolder.has(component)) {
            return configFolder.fileLocation(component, fileName);
        }
        return Path.of("bundled CLIP tokenizer", fileName);
    }

    private byte[] resource(Component tokenizer, String fileName) {
        return file(tokenizer, fileName).orElseThrow(
                () -> new IllegalStateException("missing bundled tokenizer file " + fileName));
    }

    /** The tokenizers of OpenCLIP encoders: SD 2's only one, SDXL's second. */
    private boolean padsWithBang(Component tokenizer) {
        return tokenizer == Component.TOKENIZER_2 || layout.family() == LdmFamily.SD2;
    }

    /** OpenCLIP's tokenizer pads with '!' (id 0) where CLIP's pads with the end-of-text token. */
    private static byte[] padWithBang(byte[] json) {
        JsonObject o = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
        if (o.has("pad_token")) {
            o.addProperty("pad_token", "!");
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }
}
