package dev.conceptprune.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.SingleFileOptions;
import dev.conceptprune.model.SingleFileSource;
import dev.conceptprune.model.ldm.LdmFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert} both ways on the tiny SDXL model: the folder written from the fixture's single
 * file holds the fixture folder's tensors, and the single file written from the folder holds the
 * fixture file's, bit for bit (OpenCLIP's fused q;k;v and transposed projection rebuilt).
 */
class SdxlConversionTest {
    private static final Path FOLDER = Fixtures.ROOT.resolve("tiny-sdxl");
    private static final Path FILE = FOLDER.resolve("single_file/tiny-xl.safetensors");
    private static final List<String> WEIGHTS = List.of("unet/diffusion_pytorch_model.safetensors",
            "vae/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors",
            "text_encoder_2/model.safetensors");

    @Test
    void folderToFileGivesTheFixtureFileBitForBit(@TempDir Path tmp) {
        Path out = tmp.resolve("xl.safetensors");
        ModelConversion.plan(DiffusersFolder.open(FOLDER), out, false).run();
        assertSameTensors(FILE, out);
    }

    @Test
    void fileToFolderGivesTheFixtureFolderBitForBit(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("xl");
        SingleFileSource source = SingleFileSource.open(FILE, new SingleFileOptions(FOLDER, null, null, false));
        ModelConversion.plan(source, out, false).run();
        for (String w : WEIGHTS) {
            assertSameTensors(FOLDER.resolve(w), out.resolve(w));
        }
        DiffusersFolder written = DiffusersFolder.open(out);
        for (Component c : Component.values()) {
            assertTrue(written.has(c), c.folderName());
        }
        assertEquals("StableDiffusionXLPipeline", written.index().getString("_class_name"));
        assertEquals("!", written.config(Component.TOKENIZER_2).getString("pad_token"));
        assertArrayEquals(Files.readAllBytes(FOLDER.resolve("tokenizer_2/vocab.json")),
                Files.readAllBytes(out.resolve("tokenizer_2/vocab.json")));
        SingleFileSource back = (SingleFileSource) ModelSource.open(
                convertBack(written, tmp.resolve("again.safetensors")), new SingleFileOptions(out, null, null, false));
        assertEquals(LdmFamily.SDXL, back.family());
    }

    @Test
    void aFolderWithASecondEncoderButNoAddedConditionsIsRefused(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve("copy");
        Fixtures.copyTree(FOLDER, copy);
        Path config = copy.resolve("unet/config.json");
        Files.writeString(config, Files.readString(config).replace("\"text_time\"", "null"));
        InputException e = assertThrows(InputException.class,
                () -> ModelConversion.plan(DiffusersFolder.open(copy), tmp.resolve("x.safetensors"), false));
        assertTrue(e.getMessage().contains("text_encoder_2 but its UNet's addition_embed_type is null"),
                e.getMessage());
    }

    private static Path convertBack(DiffusersFolder folder, Path out) {
        ModelConversion.plan(folder, out, false).run();
        assertSameTensors(FILE, out);
        return out;
    }

    private static void assertSameTensors(Path expected, Path actual) {
        try (SafetensorsFile want = SafetensorsFile.open(expected); SafetensorsFile got = SafetensorsFile.open(actual)) {
            assertEquals(want.tensors().keySet(), got.tensors().keySet(), actual + " names");
            for (String n : want.tensors().keySet()) {
                TensorInfo w = want.info(n);
                TensorInfo g = got.info(n);
                assertEquals(w.dtype(), g.dtype(), n);
                assertArrayEquals(w.shape(), g.shape(), n);
                assertEquals(want.bytes(n), got.bytes(n), n);
            }
        }
    }
}
