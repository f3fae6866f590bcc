package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.InputException;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.DiffusersFolder;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Masks applied to the tiny-sd1-single checkpoint come out in the input's layout: the same
 * file outside the pruned elements, and the same edit the diffusers folder of the same weights gets.
 */
class SingleFileWriterTest {
    private static final Path DIR = Fixtures.ROOT.resolve("tiny-sd1-single");
    private static final Path FILE = DIR.resolve("tiny-sd1c.safetensors");
    private static final String UNET_PARAM = "mid_block.attentions.0.transformer_blocks.0.ff.net.2.weight";
    private static final String TEXT_PARAM = "text_model.encoder.layers.1.mlp.fc2.weight";
    private static final int[] UNET_ZEROED = {0, 5, 63, 1000};
    private static final int[] TEXT_ZEROED = {1, 2, 300};

    /** A mask over one UNet and one text-encoder parameter, fingerprinted on {@code base}. */
    private static Path mask(ModelSource base, Path dir) {
        try (TensorSource unet = base.tensors(Component.UNET); TensorSource text = base.tensors(Component.TEXT_ENCODER)) {
            PruneMask m = new PruneMask(
                    Map.of(UNET_PARAM, UNET_ZEROED, MaskKey.of(Component.TEXT_ENCODER, TEXT_PARAM), TEXT_ZEROED),
                    Map.of(UNET_PARAM, unet.info(UNET_PARAM).shape(),
                            MaskKey.of(Component.TEXT_ENCODER, TEXT_PARAM), text.info(TEXT_PARAM).shape()),
                    Map.of(PruneMask.FINGERPRINT, BaseFingerprint.of(unet)));
            Path file = dir.resolve("test.mask.safetensors");
            m.write(file);
            return file;
        }
    }

    @Test
    void editedFileDiffersFromTheInputOnlyInThePrunedElements(@TempDir Path tmp) throws IOException {
        ModelSource single = ModelSource.open(FILE);
        Path out = tmp.resolve("out");
        MaskApplication.apply(single, List.of(mask(single, tmp)), out, false);
        Path edited = out.resolve("tiny-sd1c.safetensors");
        byte[] in = Files.readAllBytes(FILE);
        byte[] got = Files.readAllBytes(edited);
        assertEquals(in.length, got.length);
        long header = 8 + ByteBuffer.wrap(in, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int differing = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] != got[i]) {
                assertTrue(i >= header, "byte " + i + " of the header changed");
                assertEquals(0, got[i], "byte " + i + " changed to something other than zero");
                differing++;
            }
        }
        assertTrue(differing > 0 && differing <= 2 * (UNET_ZEROED.length + TEXT_ZEROED.length), differing + " bytes");
        try (TensorSource unet = ModelSource.open(edited).tensors(Component.UNET);
             TensorSource text = ModelSource.open(edited).tensors(Component.TEXT_ENCODER)) {
            float[] w = unet.readFloats(UNET_PARAM);
            for (int i : UNET_ZEROED) {
                assertEquals(0f, w[i]);
            }
            float[] t = text.readFloats(TEXT_PARAM);
            for (int i : TEXT_ZEROED) {
                assertEquals(0f, t[i]);
            }
        }
        // applying the same mask again to the input reproduces the file byte for byte
        Path again = tmp.resolve("again");
        MaskApplication.apply(single, List.of(tmp.resolve("test.mask.safetensors")), again, false);
        assertEquals(-1, Files.mismatch(edited, again.resolve("tiny-sd1c.safetensors")));
        InputException exists = assertThrows(InputException.class,
                () -> MaskApplication.apply(single, List.of(tmp.resolve("test.mask.safetensors")), again, false));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
    }

    @Test
    void aMaskFoundOnTheFolderAppliesToTheFileAndGivesTheSameWeights(@TempDir Path tmp) {
        DiffusersFolder folder = DiffusersFolder.open(DIR.resolve("diffusers"));
        Path mask = mask(folder, tmp);
        MaskApplication.apply(folder, List.of(mask), tmp.resolve("folder"), false);
        MaskApplication.apply(ModelSource.open(FILE), List.of(mask), tmp.resolve("file"), false);
        MaskApplication.apply(ModelSource.open(DIR.resolve("tiny-sd1c.ckpt")), List.of(mask), tmp.resolve("ckpt"), false);
        ModelSource fromFile = ModelSource.open(tmp.resolve("file/tiny-sd1c.safetensors"));
        ModelSource fromCkpt = ModelSource.open(tmp.resolve("ckpt/tiny-sd1c.safetensors"));
        DiffusersFolder editedFolder = DiffusersFolder.open(tmp.resolve("folder"));
        for (Component c : List.of(Component.UNET, Component.TEXT_ENCODER)) {
            try (TensorSource a = editedFolder.tensors(c); TensorSource b = fromFile.tensors(c);
                 TensorSource d = fromCkpt.tensors(c)) {
                for (String n : a.names()) {
                    assertEquals(a.bytes(n), b.bytes(n), c + " " + n);
                    assertEquals(a.bytes(n), d.bytes(n), c + " " + n + " (from the .ckpt)");
                }
            }
        }
        try (SafetensorsFile ckptOut = SafetensorsFile.open(tmp.resolve("ckpt/tiny-sd1c.safetensors"));
             SafetensorsFile input = SafetensorsFile.open(FILE)) {
            assertEquals(input.tensors().keySet(), ckptOut.tensors().keySet());
            for (String n : input.tensors().keySet()) {
                assertArrayEquals(input.info(n).shape(), ckptOut.info(n).shape(), n);
            }
        }
    }
}
