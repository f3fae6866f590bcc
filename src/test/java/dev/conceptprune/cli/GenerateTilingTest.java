package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.CliRun;
import dev.conceptprune.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate --vae-tiling on the toy model at 128x128: 64-pixel tiles of its VAE, 3 x 3 of them. */
class GenerateTilingTest {
    @TempDir
    Path tmp;

    @Test
    void tilesChangeOnlyTheDecodeAndATileAsLargeAsTheImageIsTheWholeDecode() throws IOException {
        Path whole = generate("whole.png");
        Path tiled = generate("tiled.png", "--vae-tiling");
        Path oneTile = generate("one-tile.png", "--vae-tiling", "128");
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(oneTile),
                "a tile the size of the image decodes whole, as diffusers");
        BufferedImage a = ImageIO.read(whole.toFile());
        BufferedImage b = ImageIO.read(tiled.toFile());
        double sum = 0;
        int max = 0;
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = Math.abs(((a.getRGB(x, y) >> shift) & 0xff) - ((b.getRGB(x, y) >> shift) & 0xff));
                    sum += d;
                    max = Math.max(max, d);
                }
            }
        }
        double mean = sum / (128 * 128 * 3);
        System.out.printf("toy 128x128, 64-pixel tiles vs whole decode: mean |diff| %.2f, max %d (of 255)%n", mean, max);
        assertTrue(max > 0, "the tiled decode is a different computation");
        assertTrue(mean < 20, "the tiled image is the same picture: mean difference " + mean);
    }

    private Path generate(String name, String... tiling) {
        Path out = tmp.resolve(name);
        String[] base = {"generate", "--model", Fixtures.TOYWORLD.toString(), "--prompt", "a red circle", "--steps", "2",
            "--height", "128", "--width", "128", "--out", out.toString(), "--quiet"};
        String[] args = new String[base.length + tiling.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(tiling, 0, args, base.length, tiling.length);
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("warning:"), "tiles asked for are no surprise: " + r.err());
        return out;
    }
}
