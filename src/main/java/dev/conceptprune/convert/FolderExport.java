package dev.conceptprune.convert;

import dev.conceptprune.io.AtomicFiles;
import dev.conceptprune.io.Json;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.SingleFileSource;
import dev.conceptprune.model.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a single-file checkpoint as a diffusers folder: the inferred configs, each component's
 * tensors under diffusers names in their stored dtype (values copied bit for bit), the bundled
 * tokenizer (both of SDXL's) and {@code model_index.json}, as diffusers' own single-file loader lays
 * them out.
 */
final class FolderExport {
    /** The tokenizer files a diffusers CLIP tokenizer folder holds. */
    private static final List<String> TOKENIZER_FILES = List.of("merges.txt", "special_tokens_map.json",
            "tokenizer_config.json", "vocab.json");

    private FolderExport() {
    }

    static void write(SingleFileSource source, Path target) {
        AtomicFiles.writeFolder(target, dir -> {
            writeJson(dir.resolve("model_index.json"), source.modelIndex());
            for (Component c : source.family().components()) {
                Path sub = Files.createDirectories(dir.resolve(c.folderName()));
                writeJson(sub.resolve("config.json"), source.config(c).json());
                try (TensorSource tensors = source.tensors(c)) {
                    writeTensors(tensors, sub.resolve(weightFile(c)));
                }
            }
            Path scheduler = Files.createDirectories(dir.resolve(Component.SCHEDULER.folderName()));
            writeJson(scheduler.resolve("scheduler_config.json"), source.config(Component.SCHEDULER).json());
            for (Component t : source.family().tokenizers()) {
                Path tokenizer = Files.createDirectories(dir.resolve(t.folderName()));
                for (String name : TOKENIZER_FILES) {
                    byte[] bytes = source.file(t, name).orElseThrow(
                            () -> new IllegalStateException("missing tokenizer file " + source.fileLocation(t, name)));
                    Files.write(tokenizer.resolve(name), bytes);
                }
            }
        });
    }

    /** diffusers' weight file names: transformers' for the text encoders, diffusers' for the rest. */
    static String weightFile(Component c) {
        return c == Component.TEXT_ENCODER || c == Component.TEXT_ENCODER_2 ? "model.safetensors"
                : "diffusion_pytorch_model.safetensors";
    }

    private static void writeTensors(TensorSource tensors, Path file) {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        for (String name : tensors.names()) {
            TensorInfo t = tensors.info(name);
            w.add(name, t.dtype(), t.shape(), tensors.bytes(name));
        }
        w.write(file);
    }

    private static void writeJson(Path file, Object json) throws IOException {
        Files.writeString(file, Json.pretty().toJson(json) + "\n");
    }
}
