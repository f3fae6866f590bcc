package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import dev.conceptprune.io.Hashing;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert} against diffusers' own conversions of the single-file fixture: the folder it writes
 * holds diffusers' weight files byte for byte, the file it writes holds the fixture file's tensors bit
 * for bit, and round trips give back the same tensors.
 */
class ConvertCommandTest {
    private static final Path SINGLE = Fixtures.ROOT.resolve("tiny-sd1-single");
    private static final Path FILE = SINGLE.resolve("tiny-sd1c.safetensors");
    private static final Path FOLDER = SINGLE.resolve("diffusers");

    @TempDir
    Path tmp;

    @Test
    void singleFileToFolderWritesDiffusersWeightFilesByteForByte() throws IOException {
        Path out = convert(FILE, tmp.resolve("folder"));
        for (String weights : new String[] {"unet/diffusion_pytorch_model.safetensors",
            "vae/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"}) {
            assertEquals(-1, Files.mismatch(FOLDER.resolve(weights), out.resolve(weights)), weights);
        }
        // The fixture's folder was configured for its 128-pixel size; a single file carries no size, so
        // the family's default (512 for SD 1.x, as diffusers) applies. Version keys name the writer.
        Set<String> differ = Set.of("sample_size", "_diffusers_version", "transformers_version", "dtype");
        for (String config : new String[] {"unet/config.json", "vae/config.json", "text_encoder/config.json",
            "scheduler/scheduler_config.json", "model_index.json"}) {
            JsonObject expected = json(FOLDER.resolve(config));
            JsonObject actual = json(out.resolve(config));
            for (String key : expected.keySet()) {
                if (!differ.contains(key)) {
                    assertEquals(expected.get(key), actual.get(key), config + ": " + key);
                }
            }
        }
    }

    @Test
    void folderToSingleFileWritesTheFixtureFilesTensors() {
        Path out = convert(FOLDER, tmp.resolve("model.safetensors"));
        assertEquals(tensors(FILE), tensors(out));
    }

    @Test
    void roundTripsGiveBackTheSameTensors() throws IOException {
        Path folder = convert(FILE, tmp.resolve("folder"));
        Path file = convert(folder, tmp.resolve("again.safetensors"));
        assertEquals(tensors(FILE), tensors(file), "file -> folder -> file");
        Path folderAgain = convert(file, tmp.resolve("folder-again"));
        for (String weights : new String[] {"unet/diffusion_pytorch_model.safetensors",
            "vae/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"}) {
            assertEquals(-1, Files.mismatch(folder.resolve(weights), folderAgain.resolve(weights)),
                    "folder -> file -> folder: " + weights);
        }
    }

    @Test
    void ckptBecomesTheSafetensorsOfTheSameTensors() {
        Path out = convert(SINGLE.resolve("tiny-sd1c.ckpt"), tmp.resolve("from-ckpt.safetensors"));
        assertEquals(tensors(FILE), tensors(out));
    }

    @Test
    void forceReplacesAnExistingOutput() throws IOException {
        Path out = convert(FOLDER, tmp.resolve("model.safetensors"));
        Files.writeString(out, "old");
        CliRun r = CliRun.run("convert", "--model", FOLDER.toString(), "--out", out.toString(), "--force");
        assertEquals(0, r.code(), r.err());
        assertEquals(tensors(FILE), tensors(out));
    }

    private static Path convert(Path from, Path to) {
        CliRun r = CliRun.run("convert", "--model", from.toString(), "--out", to.toString());
        assertEquals(0, r.code(), r.err());
        return to;
    }

    private static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    /** Name to dtype, shape and a digest of the bytes, for comparing files tensor by tensor. */
    private static Map<String, String> tensors(Path file) {
        Map<String, String> out = new TreeMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorInfo t : f.tensors().values()) {
                byte[] b = new byte[Math.toIntExact(t.byteLength())];
                f.bytes(t.name()).duplicate().get(b);
                out.put(t.name(), t.dtype() + " " + Arrays.toString(t.shape()) + " " + Hashing.sha256(b));
            }
        }
        return out;
    }
}
